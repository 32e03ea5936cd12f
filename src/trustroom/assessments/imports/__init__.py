"""Scanner imports: parsed reports (see `assessments.importers`) into an application's findings."""

from trustroom.assessments.imports.services import import_findings, run_queued_import, start_finding_import
from trustroom.assessments.imports.sweep import SweepResult, sweep_stale_imports
from trustroom.assessments.imports.upsert import ImportResult

__all__ = [
    "ImportResult",
    "SweepResult",
    "import_findings",
    "run_queued_import",
    "start_finding_import",
    "sweep_stale_imports",
]
