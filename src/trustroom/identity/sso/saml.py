"""The last step of a SAML sign-in (allauth's `saml_finish_acs`, replaced at the same path).

Same as allauth's, plus what issue-grade SAML needs: an assertion is accepted once (its ID is recorded
until it expires; a second use is refused as a replay), the response must answer a request this browser
made unless the connection allows IdP-initiated sign-in, and every refusal is recorded with its reason.
Signature, audience, recipient/destination and validity window are checked by python3-saml in strict mode
with signed assertions required (see `connections.social_app`).
"""

from __future__ import annotations

import binascii
from datetime import UTC, datetime, timedelta

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal import httpkit
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.providers.saml.utils import build_auth, decode_relay_state, get_app_or_404
from allauth.socialaccount.sessions import LoginSession
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from onelogin.saml2.errors import OneLogin_Saml2_Error

from trustroom.identity.models import SsoAssertionUse
from trustroom.identity.sso.acceptance import refuse

# When an assertion names no end of validity, remember it this long (python3-saml's clock drift is 5 min).
DEFAULT_ASSERTION_MEMORY = timedelta(hours=1)


def record_assertion_use(*, provider_id: str, assertion_id: str, not_on_or_after: datetime | None) -> bool:
    """Note that the assertion was used; False when it already was (a replay)."""
    now = timezone.now()
    SsoAssertionUse.objects.filter(not_on_or_after__lt=now - timedelta(minutes=10)).delete()
    try:
        with transaction.atomic():
            SsoAssertionUse.objects.create(
                provider_id=provider_id,
                assertion_id=assertion_id,
                not_on_or_after=max(not_on_or_after or now, now) + DEFAULT_ASSERTION_MEMORY,
            )
    except IntegrityError:
        return False
    return True


def finish_acs(request: HttpRequest, organization_slug: str) -> HttpResponse:
    try:
        return _finish_acs(request, organization_slug)
    except ImmediateHttpResponse as answer:
        return answer.response


def _finish_acs(request: HttpRequest, organization_slug: str) -> HttpResponse:
    app = get_app_or_404(request, organization_slug)
    provider = app.get_provider(request)
    provider_id = str(app.provider_id)
    acs_session = LoginSession(request, "saml_acs_session", "saml-acs-session")
    acs_request_data = acs_session.store.get("request")
    acs_session.delete()
    if not acs_request_data:
        refuse(
            request,
            "The SAML response was not received (the sign-in session is missing).",
            provider_id=provider_id,
        )
    acs_request = httpkit.deserialize_request(acs_request_data, HttpRequest())
    auth = build_auth(acs_request, provider)
    try:
        auth.process_response(request_id=None)  # InResponseTo is matched against our stashed state below
    except binascii.Error:
        refuse(request, "The SAML response is not valid base64.", provider_id=provider_id)
    except OneLogin_Saml2_Error as error:
        refuse(request, f"The SAML response was refused: {error}", provider_id=provider_id)
    if auth.get_errors():
        reason = auth.get_last_error_reason() or ", ".join(auth.get_errors())
        refuse(request, f"The SAML response was refused: {reason}", provider_id=provider_id)
    if not auth.is_authenticated():
        refuse(request, "The identity provider did not authenticate anyone.", provider_id=provider_id)
    assertion_id = auth.get_last_assertion_id()
    expires = auth.get_last_assertion_not_on_or_after()
    not_on_or_after = datetime.fromtimestamp(expires, tz=UTC) if expires else None
    if not assertion_id or not record_assertion_use(
        provider_id=provider_id, assertion_id=assertion_id, not_on_or_after=not_on_or_after
    ):
        refuse(
            request, "This SAML assertion was already used (replay); sign in again.", provider_id=provider_id
        )
    login = provider.sociallogin_from_response(request, auth)
    state_id = auth.get_last_response_in_response_to()
    if state_id:
        try:
            login.state = provider.unstash_redirect_state(request, state_id)
        except PermissionDenied:
            refuse(
                request,
                "This SAML response does not answer a sign-in started in this browser.",
                provider_id=provider_id,
            )
    else:
        if app.settings.get("advanced", {}).get("reject_idp_initiated_sso", True):
            refuse(
                request,
                "Sign-in started at the identity provider (IdP-initiated) is turned off for this connection; "
                "start from Trustroom's sign-in page.",
                provider_id=provider_id,
            )
        login.state["process"] = AuthProcess.LOGIN
        next_url = decode_relay_state(acs_request.POST.get("RelayState"))
        if next_url:
            login.state["next"] = next_url
    return complete_social_login(request, login)
