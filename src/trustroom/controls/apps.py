from django.apps import AppConfig


class ControlsConfig(AppConfig):
    name = "trustroom.controls"
    label = "controls"
    verbose_name = "Controls"

    def ready(self) -> None:
        from trustroom.controls import (
            evidence_package,
            policies,  # noqa: F401  (registers the model policies)
        )
        from trustroom.controls.audit_scope import audit_windows
        from trustroom.tenancy.demo import register_demo_module
        from trustroom.tenancy.narrowing import register_window_provider

        register_window_provider(audit_windows)  # an auditor reads only inside their audit periods
        evidence_package.register()  # re-encrypt stored packages when data keys rotate

        register_demo_module("trustroom.controls.demo")  # runs in INSTALLED_APPS order
        register_demo_module("trustroom.controls.posture_demo")  # after the controls it binds
