from django.urls import path

from trustroom.identity import allowlist_views, support_views, views
from trustroom.identity.sso import views as sso_views

app_name = "identity"

urlpatterns = [
    path("api-tokens/", views.ApiTokensView.as_view(), name="api-tokens"),
    path("api-tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="api-token-revoke"),
    path("settings/security/", views.SecurityPolicyView.as_view(), name="security-policy"),
]

urlpatterns += [
    path("ip-allowlist/", allowlist_views.IpAllowlistView.as_view(), name="ip-allowlist"),
    path(
        "ip-allowlist/<int:pk>/remove/",
        allowlist_views.IpAllowlistRemoveView.as_view(),
        name="ip-allowlist-remove",
    ),
]

urlpatterns += [
    path("settings/sso/", sso_views.SsoConnectionsView.as_view(), name="sso-connections"),
    path("settings/sso/<int:pk>/", sso_views.SsoConnectionView.as_view(), name="sso-connection"),
    path(
        "settings/sso/<int:pk>/delete/",
        sso_views.SsoConnectionDeleteView.as_view(),
        name="sso-connection-delete",
    ),
    path("settings/support-access/", support_views.SupportAccessView.as_view(), name="support-access"),
    path(
        "settings/support-access/<int:pk>/revoke/",
        support_views.SupportAccessRevokeView.as_view(),
        name="support-access-revoke",
    ),
]
