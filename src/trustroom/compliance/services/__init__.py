"""Writes of the compliance register: custom frameworks, compliance statements, certifications.

Every function is keyword-only with the acting principal first, atomic, checks the model's policy,
validates (a ValidationError keyed by field, nothing half-written) and records one audit event. Every
change that the trust center shows invalidates its cached pages after commit.

The package is split by concept; import from here (`from trustroom.compliance import services`):
- `common`: the checks and helpers the writes share;
- `frameworks`: an organization's custom frameworks;
- `statements`: compliance statements and their revisions;
- `certifications`: certifications and reports (validity, renewal, succession, attached PDF).
"""

from trustroom.compliance.services.certifications import (
    CERTIFICATION_FIELDS,
    DEFAULT_SURVEILLANCE_MONTHS,
    TEXT_FIELDS,
    UNSET,
    attach_document,
    create_certification,
    default_series,
    delete_certification,
    start_renewal,
    supersede_certification,
    update_certification,
)
from trustroom.compliance.services.frameworks import (
    create_custom_framework,
)
from trustroom.compliance.services.statements import (
    MAX_MEASURES,
    MEASURE_MAX_CHARS,
    STATEMENT_FIELDS,
    clean_measures,
    create_statement,
    delete_statement,
    update_statement,
)

__all__ = [
    "CERTIFICATION_FIELDS",
    "DEFAULT_SURVEILLANCE_MONTHS",
    "MAX_MEASURES",
    "MEASURE_MAX_CHARS",
    "STATEMENT_FIELDS",
    "TEXT_FIELDS",
    "UNSET",
    "attach_document",
    "clean_measures",
    "create_certification",
    "create_custom_framework",
    "create_statement",
    "default_series",
    "delete_certification",
    "delete_statement",
    "start_renewal",
    "supersede_certification",
    "update_certification",
    "update_statement",
]
