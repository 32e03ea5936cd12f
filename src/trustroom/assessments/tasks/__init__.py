"""Background jobs of the VAPT programme (Celery discovers `trustroom.assessments.tasks`)."""

from trustroom.assessments.tasks.imports import *  # noqa: F403
from trustroom.assessments.tasks.sla import *  # noqa: F403
