"""Celery application.

With REDIS_URL set, tasks go through Redis to worker processes; in the embedded default they run
in-process (eagerly), so a single machine needs no other service.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustroom.settings")

app = Celery("trustroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
