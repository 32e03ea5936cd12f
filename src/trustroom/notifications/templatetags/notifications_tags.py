"""`{% notifications_link %}`: the header's link to the inbox with the unread count (org pages only)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from trustroom.tenancy.scope import current_org

register = template.Library()


@register.inclusion_tag("notifications/_header_link.html", takes_context=True)
def notifications_link(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    organization = getattr(request, "organization", None)
    user = getattr(request, "user", None)
    active = current_org()
    # Only inside the organization's own scope (org pages render there); anywhere else: no link.
    if organization is None or active is None or active.pk != organization.pk or user is None:
        return {"show": False}
    from trustroom.notifications.selectors import unread_count

    return {
        "show": True,
        "url": reverse("notifications:inbox", kwargs={"org_slug": organization.slug}),
        "unread": unread_count(user),
    }
