from django.urls import path, re_path

from trustroom.tenancy import views

app_name = "tenancy"

urlpatterns = [
    path("members/", views.MembersView.as_view(), name="members"),
    path("members/invite/", views.InviteView.as_view(), name="invite"),
    path("members/<int:pk>/role/", views.MemberRoleView.as_view(), name="member-role"),
    path("members/<int:pk>/remove/", views.MemberRemoveView.as_view(), name="member-remove"),
    path("invitations/<int:pk>/revoke/", views.InvitationRevokeView.as_view(), name="invitation-revoke"),
    re_path(
        rf"^invitations/accept/(?P<secret>{views.INVITATION_SECRET_PATTERN})/$",
        views.InvitationAcceptView.as_view(),
        name="invitation-accept",
    ),
    path("settings/", views.OrganizationSettingsView.as_view(), name="settings"),
]
