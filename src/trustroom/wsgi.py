"""The WSGI application: Django, behind the public trust center's fast path (trustcenter/fastpath.py),
which answers anonymous GETs of cached public trust center pages without running Django's stack."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustroom.settings")

from trustroom.trustcenter.fastpath import TrustCenterFastPath

application = TrustCenterFastPath(get_wsgi_application())
