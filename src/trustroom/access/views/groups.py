"""Access group pages: the groups, one group's members (add one or paste several; remove one)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path

from trustroom.access.models import AccessGroup, AccessGroupMember
from trustroom.access.services import inventory
from trustroom.access.views.overview import AccessPage
from trustroom.access.views.requests_forms import GroupForm, GroupMembersForm
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import status_for


class GroupListView(AccessPage):
    model = AccessGroup

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(GroupForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = GroupForm(request.POST)
        if form.is_valid():
            try:
                group = inventory.create_group(actor=self.principal, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"The group {group.name} was created.")
                return redirect("access:group-detail", org_slug=self.organization.slug, pk=group.pk)
        return self.render_page(form)

    def render_page(self, form: GroupForm) -> HttpResponse:
        context = {
            "page_title": "Access groups",
            "groups": list(AccessGroup.objects.annotate(member_count=Count("members"))),
            "form": form,
            "can_add": self.allows("add", AccessGroup),
        }
        return self.page("access/groups_list.html", context, status=status_for(form))


class GroupDetailView(AccessPage):
    model = AccessGroup

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(self.get_object_or_404(AccessGroup), GroupMembersForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        group = self.get_object_or_404(AccessGroup)
        form = GroupMembersForm(request.POST)
        if form.is_valid():
            try:
                added = inventory.add_group_members(
                    actor=self.principal, group=group, emails=form.cleaned_data["emails"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{len(added)} member{'s' if len(added) != 1 else ''} added.")
                return redirect("access:group-detail", org_slug=self.organization.slug, pk=group.pk)
        return self.render_page(group, form)

    def render_page(self, group: AccessGroup, form: GroupMembersForm) -> HttpResponse:
        context = {
            "page_title": f"Group {group.name}",
            "group": group,
            "members": list(AccessGroupMember.objects.filter(group=group)),
            "form": form,
            "can_add": self.allows("add", AccessGroupMember),
            "can_remove": self.allows("delete", AccessGroupMember),
            "can_delete": self.allows("delete", group),
        }
        return self.page("access/groups_detail.html", context, status=status_for(form))


class GroupMemberRemoveView(AccessPage):
    model = AccessGroupMember
    permission_action = "delete"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        group = self.get_object_or_404(AccessGroup)
        member = self.get_object_or_404(AccessGroupMember, key="member_pk", group=group)
        inventory.remove_group_member(actor=self.principal, member=member)
        messages.success(request, f"{member.email} was removed from {group.name}.")
        return redirect("access:group-detail", org_slug=self.organization.slug, pk=group.pk)


class GroupDeleteView(AccessPage):
    model = AccessGroup
    permission_action = "delete"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        group = self.get_object_or_404(AccessGroup)
        try:
            inventory.delete_group(actor=self.principal, group=group)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("access:group-detail", org_slug=self.organization.slug, pk=group.pk)
        messages.success(request, f"The group {group.name} was deleted.")
        return redirect("access:group-list", org_slug=self.organization.slug)


urlpatterns: list[URLPattern] = [
    path("groups/", GroupListView.as_view(), name="group-list"),
    path("groups/<int:pk>/", GroupDetailView.as_view(), name="group-detail"),
    path("groups/<int:pk>/delete/", GroupDeleteView.as_view(), name="group-delete"),
    path(
        "groups/<int:pk>/members/<int:member_pk>/remove/",
        GroupMemberRemoveView.as_view(),
        name="group-member-remove",
    ),
]
