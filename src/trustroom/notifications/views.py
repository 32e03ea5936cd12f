"""The inbox page under /o/<org_slug>/notifications/. Views call `trustroom.notifications.services`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from trustroom.notifications import selectors, services
from trustroom.notifications.models import Notification
from trustroom.tenancy.views import OrgPageView


class InboxView(OrgPageView):
    model = Notification

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        show = request.GET.get("show", "all")
        notifications = selectors.inbox(self.principal.user)
        if show == "unread":
            notifications = notifications.filter(read_at__isnull=True)
        page = Paginator(notifications, 50).get_page(request.GET.get("page"))
        context = {
            "organization": self.organization,
            "page_title": "Notifications",
            "page": page,
            "notifications": list(page.object_list),
            "show": show,
            "unread": selectors.unread_count(self.principal.user),
        }
        return render(request, "notifications/inbox.html", context)


class MarkReadView(OrgPageView):
    """POST marks one notification read, then goes to where it points (or back to the inbox)."""

    model = Notification
    permission_action = "change"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        notification = selectors.inbox(self.principal.user).filter(pk=kwargs["pk"]).first()
        if notification is None:
            raise Http404("No such notification.")
        services.mark_read(actor=self.principal, notification=notification)
        target = notification.url if request.POST.get("open") else ""
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
            return redirect(target)
        return redirect("notifications:inbox", org_slug=self.organization.slug)


class MarkAllReadView(OrgPageView):
    model = Notification
    permission_action = "change"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        count = services.mark_all_read(actor=self.principal)
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
        return redirect("notifications:inbox", org_slug=self.organization.slug)
