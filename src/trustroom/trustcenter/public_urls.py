"""/trust/<org_slug>/: the organization's public trust center (open to anyone, namespace `trust`)."""

from django.urls import path

from trustroom.trustcenter.access_views import ACCESS_URLPATTERNS
from trustroom.trustcenter.public_views import PAGE_VIEWS

app_name = "trust"

urlpatterns = [
    path("", PAGE_VIEWS["overview"], name="overview"),
    path("compliance/", PAGE_VIEWS["compliance"], name="compliance"),
    path("certifications/", PAGE_VIEWS["certifications"], name="certifications"),
    *ACCESS_URLPATTERNS,  # gated documents: request access, terms, downloads (trustcenter.access_views)
]
