from django.urls import path

from trustroom.identity import account_views, support_views
from trustroom.identity.sso import views as sso_views

app_name = "identity-account"

urlpatterns = [
    path("security/activity/", account_views.sign_in_activity, name="activity"),
    path("sso/", sso_views.sso_start, name="sso"),
    path("sso/<slug:org_slug>/", sso_views.sso_organization, name="sso-organization"),
    path("support/", support_views.my_support_access, name="support"),
]
