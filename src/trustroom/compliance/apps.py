from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_builtin_frameworks(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # The initial migration loads them; this keeps them after a flush (e.g. between transactional tests)
    # and picks up changed titles after an upgrade. Idempotent; nothing is written when nothing changed.
    from django.db import connections

    from trustroom.compliance.builtin import ensure_builtin_frameworks
    from trustroom.compliance.models import Framework, Requirement

    tables = set(connections[using].introspection.table_names())
    if {Framework._meta.db_table, Requirement._meta.db_table} <= tables:  # not when migrated backwards
        ensure_builtin_frameworks(using=using)


class ComplianceConfig(AppConfig):
    name = "trustroom.compliance"
    label = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        from trustroom.compliance import policies  # noqa: F401  (registers the model policies)
        from trustroom.tenancy.demo import register_demo_module

        register_demo_module("trustroom.compliance.demo")  # runs in INSTALLED_APPS order

        post_migrate.connect(
            _load_builtin_frameworks, sender=self, dispatch_uid="compliance-builtin-frameworks"
        )
