"""Pages about the signed-in person's own account (not organization data)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from trustroom.identity.auth_events import recent_auth_events


@require_GET
@never_cache
@login_required
def sign_in_activity(request: HttpRequest) -> HttpResponse:
    """The person's recent sign-ins, failures, sign-outs, MFA and password events (newest first)."""
    context = {"events": recent_auth_events(request.user), "page_title": "Sign-in activity"}  # type: ignore[arg-type]
    return render(request, "identity/sign_in_activity.html", context)
