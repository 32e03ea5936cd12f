"""/trust/<org_slug>/security.txt and /trust/<org_slug>/disclosure/... (namespace `disclosure-public`)."""

from django.urls import path, re_path

from trustroom.disclosure import public_views

app_name = "disclosure-public"

urlpatterns = [
    path("security.txt", public_views.security_txt_for_slug, name="security-txt"),
    path("disclosure/", public_views.PolicyPageView.as_view(), name="policy"),
    path("disclosure/report/", public_views.ReportView.as_view(), name="report"),
    re_path(
        rf"^disclosure/verify/(?P<secret>{public_views.SECRET_PATTERN})/$",
        public_views.VerifyView.as_view(),
        name="verify",
    ),
    re_path(
        rf"^disclosure/status/(?P<token>{public_views.STATUS_TOKEN_PATTERN})/$",
        public_views.StatusView.as_view(),
        name="status",
    ),
]
