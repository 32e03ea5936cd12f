"""/o/<org_slug>/trust-center/: the organization's side of gated documents."""

from django.urls import path

from trustroom.trustcenter import attestation_views, posture_views, views

app_name = "trustcenter"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("terms/", views.TermsView.as_view(), name="terms"),
    path("requests/", views.RequestsView.as_view(), name="requests"),
    path("requests/<int:pk>/approve/", views.ApproveRequestView.as_view(), name="request-approve"),
    path("requests/<int:pk>/deny/", views.DenyRequestView.as_view(), name="request-deny"),
    path("grants/", views.GrantsView.as_view(), name="grants"),
    path("grants/<int:pk>/revoke/", views.RevokeGrantView.as_view(), name="grant-revoke"),
    path("grants/<int:pk>/resend/", views.ResendAccessLinkView.as_view(), name="grant-resend"),
    path("acceptances/", views.AcceptancesView.as_view(), name="acceptances"),
    path("downloads/", views.DownloadsView.as_view(), name="downloads"),
    path("safe-to-host/", attestation_views.SafeToHostView.as_view(), name="safe-to-host"),
    path("posture/", posture_views.PostureView.as_view(), name="posture"),
    path("posture/<int:pk>/unbind/", posture_views.UnbindView.as_view(), name="posture-unbind"),
    path("posture/claim-policy/", posture_views.ClaimPolicyView.as_view(), name="posture-claim-policy"),
    path("customers/", views.CustomersView.as_view(), name="customers"),
    path("customers/<int:pk>/", views.CustomerView.as_view(), name="customer"),
    path("customers/<int:pk>/contacts/", views.AddContactView.as_view(), name="customer-contact-add"),
    path(
        "customers/<int:pk>/contacts/<int:contact_pk>/invite/",
        views.InviteContactView.as_view(),
        name="customer-contact-invite",
    ),
    path(
        "customers/<int:pk>/contacts/<int:contact_pk>/remove/",
        views.RemoveContactView.as_view(),
        name="customer-contact-remove",
    ),
]
