"""Trustroom: a self-hostable trust center and security-assurance platform."""

import os

# Workbooks are read with the standard library's XML parser through defusedxml, never lxml's, even though
# lxml is installed (python3-saml needs it): set before anything imports openpyxl, which reads it once.
os.environ.setdefault("OPENPYXL_LXML", "False")

from trustroom.celery import app as celery_app

__all__ = ["celery_app"]
