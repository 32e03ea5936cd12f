from django.urls import path

from trustroom.identity import views

app_name = "identity"

urlpatterns = [
    path("api-tokens/", views.ApiTokensView.as_view(), name="api-tokens"),
    path("api-tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="api-token-revoke"),
    path("settings/security/", views.SecurityPolicyView.as_view(), name="security-policy"),
]
