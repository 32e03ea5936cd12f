from django.urls import include, path

from trustroom.api import urls as api_urls
from trustroom.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("accounts/", include("trustroom.identity.account_urls")),
    path("accounts/", include("allauth.urls")),
    path("o/<slug:org_slug>/", include("trustroom.web.urls")),
    path("o/<slug:org_slug>/", include("trustroom.tenancy.urls")),
    path("o/<slug:org_slug>/", include("trustroom.identity.urls")),
    path("o/<slug:org_slug>/audit/", include("trustroom.audit.urls")),
    path("o/<slug:org_slug>/notifications/", include("trustroom.notifications.urls")),
    path("o/<slug:org_slug>/vault/", include("trustroom.vault.urls")),
    path("o/<slug:org_slug>/compliance/", include("trustroom.compliance.urls")),
    path("o/<slug:org_slug>/trust-center/", include("trustroom.trustcenter.urls")),
    path("o/<slug:org_slug>/assessments/", include("trustroom.assessments.urls")),
    path("o/<slug:org_slug>/answers/", include("trustroom.answers.urls")),
    path("trust/<slug:org_slug>/", include("trustroom.trustcenter.public_urls")),
    path("api/", include(api_urls)),
]

handler404 = "trustroom.web.views.not_found"
handler500 = "trustroom.web.views.server_error"
