"""The public trust center at /trust/<org_slug>/: overview, Compliances, Certifications and Security FAQ.

Anyone may read these pages; nobody signs in. `PublicTrustCenterMixin` is the one place that turns the
slug into an organization for a visitor: unknown or unpublished → 404, then the view runs inside that
organization's scope. The content comes only from published selectors: the compliance register's, the
"safe to host" attestations and the answer bank's FAQ (`trustroom.answers.faq`).

The four pages are rendered WITHOUT the request (no context processors: no CSRF token, no session, no
account menu), so a rendered page holds nothing of the visitor and can be cached and shared; see
`trustcenter/cache.py`. The request-access flow (`access_views`) builds on the same mixin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.cache import get_conditional_response
from django.utils.decorators import method_decorator
from django.views import View

from trustroom.compliance.models import Visibility
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import organization_by_slug
from trustroom.trustcenter import cache as page_cache
from trustroom.trustcenter import fastpath

ORG_URL_KWARG = "org_slug"
SECURITY_TXT_PATH = "/.well-known/security.txt"

# Validity states of a certification (computed by the compliance register when read).
VALID = "valid"
EXPIRING_SOON = "expiring_soon"
EXPIRED = "expired"
RENEWAL_IN_PROGRESS = "renewal_in_progress"
SUPERSEDED = "superseded"
NOT_YET_VALID = "not_yet_valid"
STATE_LABELS = {
    VALID: "Valid",
    EXPIRING_SOON: "Expiring soon",
    EXPIRED: "Expired",
    RENEWAL_IN_PROGRESS: "Renewal in progress",
    SUPERSEDED: "Superseded",
    NOT_YET_VALID: "Not yet valid",
}
STATE_TONES = {VALID: "ok", EXPIRING_SOON: "warn", EXPIRED: "danger", RENEWAL_IN_PROGRESS: "warn"}
STATUS_TONES = {"compliant": "ok", "in_progress": "warn", "non_compliant": "danger"}

# Cache-Control of the anonymous pages. `no-cache` (store, but revalidate every time) rather than
# `max-age=60`: a certificate expires at midnight UTC and an item made private must disappear at once;
# with max-age, browsers and shared caches we do not control would keep showing the old page for up to
# a minute, and we could not take it back. Revalidation is cheap: the page comes from our cache and a
# matching ETag answers 304 with no body.
PUBLIC_CACHE_CONTROL = "public, no-cache"
PRIVATE_CACHE_CONTROL = "private, no-cache"


def trust_center_published(organization: Organization) -> bool:
    """Whether the organization publishes its trust center (run inside its scope).

    The trust center's settings decide; an organization that never saved them is not published.
    """
    from trustroom.trustcenter.selectors import trust_center_settings

    return bool(trust_center_settings().published)


def trust_center_intro(organization: Organization) -> str:
    from trustroom.trustcenter.selectors import trust_center_settings

    return trust_center_settings().intro.strip()


def resolve_public_organization(slug: str) -> Organization:
    """The organization `slug` for an anonymous visitor; 404 when unknown (same page as unpublished)."""
    organization = organization_by_slug(slug)
    if organization is None:
        raise Http404("No such trust center.")
    return organization


class PublicTrustCenterMixin:
    """For views under /trust/<org_slug>/, open to anyone.

    Resolves the organization from the slug (no membership needed), answers 404 for an unknown or
    unpublished one, sets `self.organization`, and runs the whole view — rendering included — inside
    `org_scope(organization)`. It never sets `request.organization` (that would show the member menu).
    """

    organization: Organization
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        organization = resolve_public_organization(kwargs[ORG_URL_KWARG])
        self.organization = organization
        with org_scope(organization):
            published = trust_center_published(organization)
            if published:
                response: HttpResponseBase = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
                render = getattr(response, "render", None)
                if callable(render) and not getattr(response, "is_rendered", True):
                    render()  # templates read scoped querysets: render before the scope closes
        if not published:  # raised outside the scope: its transaction ends cleanly
            raise Http404("No such trust center.")
        return response


# --- What the pages show ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementItem:
    framework: str
    status: str
    status_label: str
    tone: str
    summary: str
    measures: list[str]
    not_applicable_reason: str
    last_reviewed: date | None
    gated: bool
    claim_key: str = ""
    posture: Any = None  # a controls.posture.ClaimPosture when the claim is bound to controls


@dataclass(frozen=True)
class CertificationItem:
    title: str
    kind: str
    issuer: str
    number: str
    framework: str
    state: str
    state_label: str
    tone: str
    valid_from: date | None
    valid_until: date | None
    audit_period_start: date | None
    audit_period_end: date | None
    is_expired: bool
    gated: bool
    has_document: bool
    claim_key: str = ""
    posture: Any = None


@dataclass(frozen=True)
class TrustCenterContent:
    organization: Organization
    intro: str
    as_of: date
    statements: list[StatementItem] = field(default_factory=list)
    certifications: list[CertificationItem] = field(default_factory=list)
    # "Safe to host" attestations of applications (published and computed safe; see attestations.py).
    attestations: list[Any] = field(default_factory=list)
    # The Security FAQ: public answer-bank entries that are not stale (see trustroom/answers/faq.py).
    faq: list[Any] = field(default_factory=list)
    # Claims about the program's processes (access reviews, DR drills, production access).
    program_claims: list[Any] = field(default_factory=list)
    # The next moment a bound claim's posture changes by itself: the page is not cached past it.
    posture_changes_at: datetime | None = None

    @property
    def compliant_count(self) -> int:
        return sum(1 for s in self.statements if s.status == "compliant")

    @property
    def valid_count(self) -> int:
        """Certifications valid by their dates AND verified by their bound controls (if any): one whose
        control is failing or stale is not counted as valid (one the policy hides is not listed at all)."""
        current = (VALID, EXPIRING_SOON, RENEWAL_IN_PROGRESS)
        return sum(
            1
            for c in self.certifications
            if c.state in current and not c.is_expired and (c.posture is None or c.posture.verified)
        )

    @property
    def has_gated(self) -> bool:
        return any(c.gated for c in self.certifications)

    @property
    def last_reviewed(self) -> date | None:
        dates = [s.last_reviewed for s in self.statements if s.last_reviewed is not None]
        return max(dates) if dates else None


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    return value if isinstance(value, date) else None


def _display(obj: Any, name: str) -> str:
    getter = getattr(obj, f"get_{name}_display", None)
    if callable(getter):
        return str(getter())
    value = getattr(obj, name, "")
    return "" if value is None else str(value)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _framework_name(framework: Any) -> str:
    return "" if framework is None else _text(framework.name or framework)


def _measures(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    return [str(item).strip() for item in value if str(item).strip()]


def _statement_item(statement: Any) -> StatementItem:
    """A gated statement shows its status and freshness; how the organization complies (measures,
    reason) is for those given access, so it is not even put into the page."""
    status = _text(statement.status)
    gated = statement.visibility == Visibility.GATED
    return StatementItem(
        framework=_framework_name(statement.framework),
        status=status,
        status_label=_display(statement, "status"),
        tone=STATUS_TONES.get(status, "neutral"),
        summary=_text(statement.summary),
        measures=[] if gated else _measures(statement.measures),
        not_applicable_reason="" if gated else _text(statement.not_applicable_reason),
        last_reviewed=_as_date(statement.last_reviewed_at),
        gated=gated,
        claim_key=f"statement:{statement.pk}",
    )


def _certification_item(certification: Any, today: date) -> CertificationItem:
    valid_until = _as_date(certification.valid_until)
    state = _text(certification.state)
    # Belt and braces: whatever the state says, a certificate whose last valid day has passed is
    # shown as expired (with its date), never as valid.
    is_expired = valid_until is not None and valid_until < today
    if is_expired and state in (VALID, EXPIRING_SOON):
        state = EXPIRED
    return CertificationItem(
        title=_text(certification.title),
        kind=_display(certification, "kind"),
        issuer=_text(certification.issuer),
        number=_text(certification.number),
        framework=_framework_name(certification.framework),
        state=state,
        state_label=STATE_LABELS.get(state, state.replace("_", " ").capitalize()),
        tone=STATE_TONES.get(state, "neutral"),
        valid_from=_as_date(certification.valid_from),
        valid_until=valid_until,
        audit_period_start=_as_date(certification.audit_period_start),
        audit_period_end=_as_date(certification.audit_period_end),
        is_expired=is_expired,
        gated=certification.visibility == Visibility.GATED,
        has_document=getattr(certification, "document_id", None) is not None,
        claim_key=f"certification:{certification.pk}",
    )


def trust_center_content(organization: Organization, *, now: datetime | None = None) -> TrustCenterContent:
    """Everything the trust center shows, from the published selectors only (run inside the scope).

    Private items never come out of here, whatever a selector returns.
    """
    from trustroom.answers.faq import published_faq
    from trustroom.compliance.selectors import published_certifications, published_statements
    from trustroom.trustcenter.attestations import published_attestations
    from trustroom.trustcenter.posture_claims import public_posture
    from trustroom.trustcenter.program_claims import published_program_claims
    from trustroom.trustcenter.selectors import trust_center_settings

    now = now or page_cache.utc_now()
    today = now.astimezone(UTC).date()
    config = trust_center_settings()
    bound = public_posture(now)
    statements = [
        _statement_item(s) for s in published_statements(organization) if s.visibility != Visibility.PRIVATE
    ]
    certifications = [
        _certification_item(c, today)
        for c in published_certifications(organization, now=now)
        if c.visibility != Visibility.PRIVATE
    ]
    return TrustCenterContent(
        organization=organization,
        intro=trust_center_intro(organization),
        as_of=today,
        statements=bound.apply(statements),
        certifications=bound.apply(certifications),
        attestations=bound.apply(published_attestations(now=now)),
        faq=published_faq(now=now).items,
        program_claims=bound.apply(published_program_claims(organization, config, now)),
        posture_changes_at=bound.changes_at,
    )


def disclosure_policy_url(organization: Organization) -> str | None:
    """The human-readable disclosure policy (with the report form) of the organization, if installed."""
    try:
        return reverse("disclosure-public:policy", kwargs={"org_slug": organization.slug})
    except NoReverseMatch:
        return None


def security_txt_url(organization: Organization | None = None, now: datetime | None = None) -> str | None:
    """Where the organization's security.txt is served (run inside its scope), when it is: the disclosure
    app's per-organization route if it is installed and the policy is published and not expired; else the
    site-wide /.well-known/ path if something answers there; else None."""
    if organization is not None:
        try:
            path = reverse("disclosure-public:security-txt", kwargs={"org_slug": organization.slug})
        except NoReverseMatch:
            path = None
        if path is not None:
            from trustroom.disclosure.securitytxt import is_servable
            from trustroom.disclosure.services import policy_or_none

            return path if is_servable(policy_or_none(), now or datetime.now(UTC)) else None
    try:
        resolve(SECURITY_TXT_PATH)
    except Resolver404:
        return None
    return SECURITY_TXT_PATH


# --- Views ----------------------------------------------------------------------------------------------


def _is_anonymous(request: HttpRequest) -> bool:
    """No session cookie: the visitor cannot be signed in (checked without loading a session)."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class TrustCenterPageView(PublicTrustCenterMixin, View):
    """One tab of the public trust center, served from the page cache when it can be.

    Not one request-wide transaction (ATOMIC_REQUESTS is off here): a page served from the cache
    touches no table, and a page rendered afresh reads inside `org_scope`, which is its own
    transaction.
    """

    tab: ClassVar[str] = "overview"
    template_name: ClassVar[str] = "trustcenter/public/overview.html"
    page_title: ClassVar[str] = "Overview"
    http_method_names: ClassVar[list[str]] = ["get", "head", "options"]  # type: ignore[misc]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method in ("GET", "HEAD"):
            return self.get(request, *args, **kwargs)  # in its own scope, only when not cached
        return super().dispatch(request, *args, **kwargs)  # OPTIONS, or the 405 page

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        organization = resolve_public_organization(kwargs[ORG_URL_KWARG])
        now = page_cache.utc_now()
        if not _is_anonymous(request):
            # Signed-in visitors get the same page, rendered for them and not kept anywhere shared.
            body = self._render_scoped(organization, now)
            return self._respond(request, body, page_cache.etag_for(body), PRIVATE_CACHE_CONTROL)
        slot = page_cache.page_slot(organization, self.tab, now=now)  # the version before rendering
        page = slot.get()
        if page is None:
            body = self._render_scoped(organization, now)
            page = slot.put(body, keep_until=self.keep_until)
        response = self._respond(request, page.body, page.etag, PUBLIC_CACHE_CONTROL)
        fastpath.mark_shared_page(response, organization, slot)  # the WSGI fast path may replay it
        return response

    def _render_scoped(self, organization: Organization, now: datetime) -> bytes:
        with org_scope(organization):
            body = self.render_page(organization, now) if trust_center_published(organization) else None
        if body is None:  # raised outside the scope: its transaction ends cleanly
            raise Http404("No such trust center.")
        return body.encode()

    keep_until: datetime | None = None  # set by render_page: when the content changes by itself

    def render_page(self, organization: Organization, now: datetime) -> str:
        content = trust_center_content(organization, now=now)
        self.keep_until = content.posture_changes_at
        txt_url = security_txt_url(organization, now)
        return render_to_string(
            self.template_name,
            {
                "organization": organization,
                "content": content,
                "tab": self.tab,
                "page_title": f"{self.page_title} · {organization.name} trust center",
                "security_txt_url": txt_url,
                "disclosure_policy_url": disclosure_policy_url(organization) if txt_url else None,
            },
        )

    def _respond(self, request: HttpRequest, body: bytes, etag: str, cache_control: str) -> HttpResponse:
        not_modified = get_conditional_response(request, etag=etag)
        response = not_modified if not_modified is not None else HttpResponse(body)
        response["ETag"] = etag
        response["Cache-Control"] = cache_control
        return response

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from trustroom.tenancy.views import allowed_methods, method_not_allowed_page

        return method_not_allowed_page(request, allowed_methods(self))


class OverviewView(TrustCenterPageView):
    tab = "overview"
    template_name = "trustcenter/public/overview.html"
    page_title = "Overview"


class ComplianceView(TrustCenterPageView):
    tab = "compliance"
    template_name = "trustcenter/public/compliance.html"
    page_title = "Compliances"


class CertificationsView(TrustCenterPageView):
    tab = "certifications"
    template_name = "trustcenter/public/certifications.html"
    page_title = "Certifications"


class FaqView(TrustCenterPageView):
    """The Security FAQ: public answers whose backing records are current (stale ones are withheld)."""

    tab = "faq"
    template_name = "trustcenter/public/faq.html"
    page_title = "Security FAQ"


PAGE_VIEWS: dict[str, Callable[..., HttpResponseBase]] = {
    "overview": OverviewView.as_view(),
    "compliance": ComplianceView.as_view(),
    "certifications": CertificationsView.as_view(),
    "faq": FaqView.as_view(),
}
