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
        from trustroom.tenancy.demo import register_demo_module

        evidence_package.register()  # re-encrypt stored packages when data keys rotate

        register_demo_module("trustroom.controls.demo")  # runs in INSTALLED_APPS order
        register_demo_module("trustroom.controls.posture_demo")  # after the controls it binds
