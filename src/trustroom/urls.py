from django.urls import include, path, re_path

from trustroom.api import urls as api_urls
from trustroom.disclosure import public_views as disclosure_public
from trustroom.identity.sso import oidc as sso_oidc
from trustroom.identity.sso import saml as sso_saml
from trustroom.monitoring import intake as alert_intake
from trustroom.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("accounts/", include("trustroom.identity.account_urls")),
    # allauth's OIDC views, replaced (same paths, matched first) by ones that use the strict OIDC adapter.
    re_path(r"^accounts/oidc/(?P<provider_id>[^/]+)/login/$", sso_oidc.login_view, name="sso-oidc-login"),
    re_path(
        r"^accounts/oidc/(?P<provider_id>[^/]+)/login/callback/$",
        sso_oidc.callback_view,
        name="sso-oidc-callback",
    ),
    # allauth's SAML ACS finish step, replaced (same path, matched first) to refuse replayed assertions.
    re_path(
        r"^accounts/saml/(?P<organization_slug>[^/]+)/acs/finish/$",
        sso_saml.finish_acs,
        name="sso-saml-finish-acs",
    ),
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
    path("o/<slug:org_slug>/resilience/", include("trustroom.resilience.urls")),
    path("o/<slug:org_slug>/access/", include("trustroom.access.urls")),
    path("o/<slug:org_slug>/controls/", include("trustroom.controls.urls")),
    path("o/<slug:org_slug>/monitoring/", include("trustroom.monitoring.urls")),
    # Signed webhooks of alert senders: public, token in the URL, no session (trustroom.monitoring.intake).
    path("intake/alerts/<slug:token>/", alert_intake.receive, name="alert-intake"),
    path("o/<slug:org_slug>/disclosure/", include("trustroom.disclosure.urls")),
    path("trust/<slug:org_slug>/", include("trustroom.disclosure.public_urls")),
    path("trust/<slug:org_slug>/", include("trustroom.trustcenter.public_urls")),
    path(".well-known/security.txt", disclosure_public.security_txt_for_host, name="security-txt"),
    path("api/", include(api_urls)),
]

handler404 = "trustroom.web.views.not_found"
handler500 = "trustroom.web.views.server_error"
