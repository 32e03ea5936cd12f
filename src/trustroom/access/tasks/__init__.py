"""Background jobs of the access app (Celery discovers `trustroom.access.tasks`)."""

from trustroom.access.tasks.grants import *  # noqa: F403
from trustroom.access.tasks.reviews import *  # noqa: F403
