"""Trustroom: a self-hostable trust center and security-assurance platform."""

from trustroom.celery import app as celery_app

__all__ = ["celery_app"]
