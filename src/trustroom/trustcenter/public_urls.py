"""/trust/<org_slug>/: the organization's public trust center (open to anyone, namespace `trust`).

The four pages (public_views) are cached; the gated-document flow (access_views) never is.
"""

from django.urls import path, re_path

from trustroom.trustcenter import access_views
from trustroom.trustcenter.public_views import PAGE_VIEWS

app_name = "trust"

SECRET = access_views.SECRET_PATTERN

urlpatterns = [
    path("", PAGE_VIEWS["overview"], name="overview"),
    path("compliance/", PAGE_VIEWS["compliance"], name="compliance"),
    path("certifications/", PAGE_VIEWS["certifications"], name="certifications"),
    path("faq/", PAGE_VIEWS["faq"], name="faq"),
    # Gated documents: request → verify e-mail → (approval) → access link → terms → documents → download.
    path("request-access/", access_views.RequestAccessView.as_view(), name="request-access"),
    re_path(rf"^verify/(?P<secret>{SECRET})/$", access_views.VerifyEmailView.as_view(), name="verify-email"),
    re_path(rf"^access/(?P<secret>{SECRET})/$", access_views.AccessLinkView.as_view(), name="access"),
    path("terms/", access_views.TermsView.as_view(), name="terms"),
    path("documents/", access_views.DocumentsView.as_view(), name="documents"),
    path("download/<str:token>/", access_views.DownloadView.as_view(), name="download"),
    path("account/", access_views.CustomerAccountView.as_view(), name="account"),
    re_path(
        rf"^account/join/(?P<secret>{SECRET})/$", access_views.CustomerJoinView.as_view(), name="account-join"
    ),
]
