"""The built-in frameworks and their requirements (identifiers and short titles, from data/).

`load_builtin_frameworks(framework_model, requirement_model)` is idempotent: it creates what is missing
and updates names and titles that changed, and never touches custom frameworks. It runs from the
compliance migrations (with the historical models) and from `trustroom compliance load-frameworks`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class BuiltinFramework:
    code: str
    name: str
    short_name: str
    kind: str
    description: str


BUILTIN_FRAMEWORKS: tuple[BuiltinFramework, ...] = (
    BuiltinFramework(
        "coppa",
        "Children's Online Privacy Protection Rule (COPPA)",
        "COPPA",
        "regulation",
        "US rule on collecting personal information from children under 13 online.",
    ),
    BuiltinFramework(
        "soc2-type1",
        "SOC 2 Type 1",
        "SOC 2 Type 1",
        "attestation",
        "AICPA attestation on the design of controls (Trust Services Criteria) at a point in time.",
    ),
    BuiltinFramework(
        "soc2-type2",
        "SOC 2 Type 2",
        "SOC 2 Type 2",
        "attestation",
        "AICPA attestation on the design and operating effectiveness of controls over an audit period.",
    ),
    BuiltinFramework(
        "pci-dss",
        "Payment Card Industry Data Security Standard (PCI DSS)",
        "PCI DSS",
        "standard",
        "Security standard for entities that store, process or transmit payment card data.",
    ),
    BuiltinFramework(
        "iso27001-2013",
        "ISO/IEC 27001:2013",
        "ISO 27001:2013",
        "standard",
        "Information security management systems (2013 edition).",
    ),
    BuiltinFramework(
        "iso27001-2022",
        "ISO/IEC 27001:2022",
        "ISO 27001:2022",
        "standard",
        "Information security management systems (2022 edition).",
    ),
    BuiltinFramework(
        "hipaa",
        "Health Insurance Portability and Accountability Act (HIPAA)",
        "HIPAA",
        "regulation",
        "US law protecting the privacy and security of health information.",
    ),
    BuiltinFramework(
        "gdpr",
        "General Data Protection Regulation (GDPR)",
        "GDPR",
        "regulation",
        "EU regulation on the protection of personal data.",
    ),
    BuiltinFramework(
        "ccpa",
        "California Consumer Privacy Act (CCPA)",
        "CCPA",
        "regulation",
        "California law giving consumers rights over their personal information.",
    ),
)


@cache
def builtin_requirements() -> dict[str, list[tuple[str, str]]]:
    raw = resources.files("trustroom.compliance.data").joinpath("requirements.json").read_text("utf-8")
    data: dict[str, list[list[str]]] = json.loads(raw)
    return {code: [(identifier, title) for identifier, title in rows] for code, rows in data.items()}


@dataclass
class LoadResult:
    frameworks_created: int = 0
    frameworks_updated: int = 0
    requirements_created: int = 0
    requirements_updated: int = 0

    @property
    def changed(self) -> bool:
        return any((self.frameworks_created, self.frameworks_updated, self.requirements_created,
                    self.requirements_updated))  # fmt: skip


def load_builtin_frameworks(
    framework_model: Any, requirement_model: Any, *, using: str = "default"
) -> LoadResult:
    """Create or update the built-in frameworks and their requirements; idempotent."""
    result = LoadResult()
    requirements = builtin_requirements()
    frameworks = framework_model._base_manager.using(using)
    for position, spec in enumerate(BUILTIN_FRAMEWORKS, start=1):
        fields = {
            "name": spec.name,
            "short_name": spec.short_name,
            "kind": spec.kind,
            "description": spec.description,
            "position": position * 10,
        }
        framework = frameworks.filter(organization__isnull=True, code=spec.code).first()
        if framework is None:
            framework = frameworks.create(organization=None, code=spec.code, **fields)
            result.frameworks_created += 1
        elif any(getattr(framework, name) != value for name, value in fields.items()):
            frameworks.filter(pk=framework.pk).update(**fields)
            result.frameworks_updated += 1
        existing = {
            row.identifier: row
            for row in requirement_model._base_manager.using(using).filter(framework_id=framework.pk)
        }
        new_rows = []
        for index, (identifier, title) in enumerate(requirements.get(spec.code, []), start=1):
            row = existing.get(identifier)
            if row is None:
                new_rows.append(
                    requirement_model(
                        framework_id=framework.pk, identifier=identifier, title=title, position=index
                    )
                )
            elif row.title != title or row.position != index:
                requirement_model._base_manager.using(using).filter(pk=row.pk).update(
                    title=title, position=index
                )
                result.requirements_updated += 1
        if new_rows:
            requirement_model._base_manager.using(using).bulk_create(new_rows)
            result.requirements_created += len(new_rows)
    return result


def ensure_builtin_frameworks(*, using: str = "default") -> LoadResult:
    """Load or update the built-in frameworks with the current models; idempotent.

    On PostgreSQL the framework table's row-level security never lets anyone write a row without an
    organization, the table owner included (FORCE): the owner lifts FORCE for this transaction only
    (ALTER TABLE is transactional), so run this as the role that owns the tables — migrations do.
    """
    from django.db import connections, transaction

    from trustroom.compliance.models import Framework, Requirement

    connection = connections[using]
    table = Framework._meta.db_table
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
        result = load_builtin_frameworks(Framework, Requirement, using=using)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Check the deferred foreign keys now: ALTER TABLE refuses to run with them pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    return result
