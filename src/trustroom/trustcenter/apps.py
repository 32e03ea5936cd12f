from django.apps import AppConfig


class TrustcenterConfig(AppConfig):
    name = "trustroom.trustcenter"
    label = "trustcenter"
    verbose_name = "Trust center"

    def ready(self) -> None:
        from trustroom.tenancy.demo import register_demo_module
        from trustroom.trustcenter import policies  # noqa: F401  (registers the model policies)

        register_demo_module("trustroom.trustcenter.demo")  # runs in INSTALLED_APPS order

        from trustroom.audit.services import listen_to_changes
        from trustroom.trustcenter.cache import CLAIM_SOURCES, invalidate_after_commit

        # Program claims (access reviews, DR drills, access rules) are derived from these records.
        listen_to_changes(CLAIM_SOURCES, invalidate_after_commit)
