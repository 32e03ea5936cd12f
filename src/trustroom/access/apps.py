from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "trustroom.access"
    label = "access"
    verbose_name = "Access: inventory, need-to-know requests and reviews"

    def ready(self) -> None:
        from trustroom.access import policies  # noqa: F401  (registers the model policies)
        from trustroom.tenancy.demo import register_demo_module

        register_demo_module("trustroom.access.demo_requests")  # inventory, grants and requests
        register_demo_module("trustroom.access.demo_reviews")  # reviews and the production access rule
