"""Members, invitations and the organization profile: the HTML side of the tenancy app.

Views validate input and call `trustroom.tenancy.services`; they never write models themselves.
Every page under /o/<org_slug>/ except the invitation link builds on `OrgScopedViewMixin`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from trustroom.tenancy import policies, services
from trustroom.tenancy.forms import (
    AcceptInvitationSignupForm,
    InvitationForm,
    MemberRoleForm,
    OrganizationProfileForm,
    add_service_errors,
    assignable_roles,
)
from trustroom.tenancy.mixins import OrgScopedViewMixin
from trustroom.tenancy.models import Invitation, Membership, Organization
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import members_of, membership_in, organization_by_slug

# What `secrets.token_urlsafe(32)` produces, with room to spare; anything else is not a link of ours.
INVITATION_SECRET_PATTERN = r"[A-Za-z0-9_-]{20,100}"  # noqa: S105 - a pattern, not a secret
SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def method_not_allowed_page(request: HttpRequest, allowed: list[str]) -> HttpResponse:
    """The 405 page with its Allow header, instead of Django's empty 405 response."""
    response = render(request, "405.html", status=405)
    response["Allow"] = ", ".join(allowed)
    return response


def allowed_methods(view: View) -> list[str]:
    return [method.upper() for method in view.http_method_names if hasattr(view, method)]


class OrgPageView(OrgScopedViewMixin, View):
    """An organization page: scoped and authorized by the mixin; a wrong method gets the 405 page."""

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return method_not_allowed_page(request, allowed_methods(self))

    @property
    def is_htmx(self) -> bool:
        return bool(getattr(self.request, "htmx", False))

    def allows(self, action: str, model_or_obj: Any) -> bool:
        """Whether the principal may do `action` to a model (class) or one of its rows (for templates)."""
        obj = None if isinstance(model_or_obj, type) else model_or_obj
        return policies.policy_for(model_or_obj).allows(self.principal, action, obj)

    def page_context(self) -> dict[str, Any]:
        """What every page of the view's app shows; apps add their own (badge tables and the like)."""
        return {"organization": self.organization, "principal": self.principal}

    def page(self, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
        return render(self.request, template, self.page_context() | context, status=status)


# --- Invitation e-mail (shared with the API) -------------------------------------------------------


def invitation_link(organization: Organization, secret: str) -> str:
    path = reverse("tenancy:invitation-accept", kwargs={"org_slug": organization.slug, "secret": secret})
    return f"{settings.TRUSTROOM_BASE_URL.rstrip('/')}{path}"


def send_invitation_email(
    *, invitation: Invitation, organization: Organization, link: str, inviter: str
) -> None:
    """Mail the link once the invitation is committed: no mail for an invitation that was rolled back.

    A mail failure is logged rather than failing the request; the inviter is shown the link anyway.
    """
    context = {"invitation": invitation, "organization": organization, "link": link, "inviter": inviter}
    subject = f"You are invited to join {organization.name} on Trustroom"
    body = render_to_string("tenancy/email/invitation.txt", context)
    recipient = invitation.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]), robust=True)


# --- Members and invitations -----------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    is_you: bool
    can_change: bool
    can_remove: bool


def people_context(principal: Principal) -> dict[str, Any]:
    """What the members panel shows, with each control decided by the models' policies."""
    member_policy = policies.policy_for(Membership)
    invitation_policy = policies.policy_for(Invitation)
    you = getattr(principal.user, "pk", None)
    rows = [
        MemberRow(
            membership=membership,
            is_you=membership.user_id == you,
            can_change=member_policy.allows(principal, "change", membership),
            can_remove=member_policy.allows(principal, "delete", membership),
        )
        for membership in members_of(principal.organization)
    ]
    can_see_invitations = invitation_policy.allows(principal, "view")
    return {
        "organization": principal.organization,
        "principal": principal,
        "member_rows": rows,
        "can_manage_members": any(row.can_change or row.can_remove for row in rows),
        "role_choices": assignable_roles(principal),
        "can_see_invitations": can_see_invitations,
        "can_invite": invitation_policy.allows(principal, "add"),
        "can_revoke_invitations": invitation_policy.allows(principal, "delete"),
        "invitations": list(Invitation.objects.select_related("invited_by")) if can_see_invitations else [],
    }


def status_for(form: Any) -> int:
    """400 for a page re-shown because its form was refused, like the API's answer to bad input."""
    return 400 if form is not None and form.is_bound and form.errors else 200


def render_members_page(
    request: HttpRequest, principal: Principal, invite_form: InvitationForm | None = None
) -> HttpResponse:
    context = people_context(principal)
    context["page_title"] = "Members"
    context["invitation_ttl_days"] = settings.INVITATION_TTL_DAYS
    context["invite_form"] = invite_form or InvitationForm(principal=principal)
    return render(request, "tenancy/members.html", context, status=status_for(invite_form))


class MembersView(OrgPageView):
    model = Membership

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return render_members_page(request, self.principal)


class MembersActionView(OrgPageView):
    """A change made from the members page: back to the page (POST-redirect-GET), or, for htmx,
    the re-rendered members panel with the outcome in it."""

    def finish(self, *, notice: str = "", error: str = "") -> HttpResponse:
        if self.is_htmx:
            context = people_context(self.principal) | {"notice": notice, "error": error}
            return render(self.request, "tenancy/_people.html", context)
        if error:
            messages.error(self.request, error)
        else:
            messages.success(self.request, notice)
        return redirect("tenancy:members", org_slug=self.organization.slug)

    def get_membership(self) -> Membership:
        membership = members_of(self.organization).filter(pk=self.kwargs["pk"]).first()
        if membership is None:
            raise Http404("No such member.")
        return membership


class InviteView(MembersActionView):
    model = Invitation
    permission_action = "add"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = InvitationForm(request.POST, principal=self.principal)
        if form.is_valid():
            try:
                invitation, secret = services.invite_member(
                    actor=self.principal, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                link = invitation_link(self.organization, secret)
                send_invitation_email(
                    invitation=invitation,
                    organization=self.organization,
                    link=link,
                    inviter=self.principal.label,
                )
                messages.success(
                    request,
                    f"Invitation e-mailed to {invitation.email}. If it does not arrive, send them this link "
                    f"yourself; it is shown only this once: {link}",
                )
                return redirect("tenancy:members", org_slug=self.organization.slug)
        return render_members_page(request, self.principal, invite_form=form)


class MemberRoleView(MembersActionView):
    model = Membership
    permission_action = "change"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = self.get_membership()
        policies.check(self.principal, "change", membership)
        form = MemberRoleForm(request.POST, principal=self.principal)
        if not form.is_valid():
            return self.finish(error="Role: " + " ".join(str(message) for message in form.errors["role"]))
        try:
            membership = services.change_member_role(
                actor=self.principal, membership=membership, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            return self.finish(error=" ".join(error.messages))
        return self.finish(notice=f"{membership.user.email} is now {membership.get_role_display()}.")


class MemberRemoveView(MembersActionView):
    """GET asks for confirmation (works without JavaScript); POST removes."""

    model = Membership
    permission_action = "delete"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = self.get_membership()
        policies.check(self.principal, "delete", membership)
        context = {"membership": membership, "organization": self.organization, "page_title": "Remove member"}
        return render(request, "tenancy/member_remove.html", context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = self.get_membership()
        email = membership.user.email
        try:
            services.remove_member(actor=self.principal, membership=membership)
        except ValidationError as error:
            return self.finish(error=" ".join(error.messages))
        return self.finish(notice=f"{email} no longer has access to {self.organization.name}.")


class InvitationRevokeView(MembersActionView):
    model = Invitation
    permission_action = "delete"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        invitation = Invitation.objects.filter(pk=self.kwargs["pk"]).first()
        if invitation is None:
            raise Http404("No such invitation.")
        try:
            services.revoke_invitation(actor=self.principal, invitation=invitation)
        except ValidationError as error:
            return self.finish(error=" ".join(error.messages))
        return self.finish(
            notice=f"The invitation for {invitation.email} was revoked; its link no longer works."
        )


# --- Organization settings -------------------------------------------------------------------------


class OrganizationSettingsView(OrgPageView):
    """Every member may read the profile; owners and admins may change it."""

    model = Organization

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(
            OrganizationProfileForm(initial=OrganizationProfileForm.initial_for(self.organization))
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policies.check(self.principal, "change", self.organization)
        form = OrganizationProfileForm(request.POST)
        if form.is_valid():
            try:
                services.update_organization(actor=self.principal, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The organization's profile was saved.")
                return redirect("tenancy:settings", org_slug=self.organization.slug)
        return self.render_page(form)

    def render_page(self, form: OrganizationProfileForm) -> HttpResponse:
        context = {
            "organization": self.organization,
            "form": form,
            "can_edit": policies.policy_for(Organization).allows(self.principal, "change", self.organization),
            "page_title": "Organization settings",
        }
        return render(self.request, "tenancy/settings.html", context, status=status_for(form))


# --- Accepting an invitation -----------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class InvitationAcceptView(View):
    """The page an invitation link opens.

    The person is not a member yet, so membership cannot admit them: the organization comes from the URL
    (404 when unknown) and the secret must open one of its invitations (404 otherwise, the same answer).
    """

    organization: Organization
    invitation: Invitation

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        organization = organization_by_slug(kwargs["org_slug"])
        if organization is None:
            raise Http404("No such invitation.")
        self.organization = organization
        with org_scope(organization):
            invitation = services.find_invitation(kwargs["secret"])
            if invitation is None:
                raise Http404("No such invitation.")
            self.invitation = invitation
            return super().dispatch(request, *args, **kwargs)

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return method_not_allowed_page(request, allowed_methods(self))

    def state(self) -> str:
        """Which page to show: decided by the invitation and by who (if anyone) is signed in."""
        if self.invitation.status() != "pending":
            return "unavailable"
        user = self.request.user
        if user.is_authenticated:
            if cast(Any, user).email.lower() != self.invitation.email.lower():
                return "wrong_account"
            if membership_in(user, self.organization) is not None:
                return "already_member"
            return "confirm"
        if get_user_model().objects.filter(email__iexact=self.invitation.email).exists():
            return "sign_in"
        return "sign_up"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        state = self.state()
        form = AcceptInvitationSignupForm(email=self.invitation.email) if state == "sign_up" else None
        return self.render_page(state, form=form)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        state = self.state()
        if state == "confirm":
            try:
                services.accept_invitation(actor=request.user, invitation=self.invitation)
            except ValidationError as error:
                return self.render_page("error", error=" ".join(error.messages))
            return self.welcome()
        if state == "sign_up":
            form = AcceptInvitationSignupForm(request.POST, email=self.invitation.email)
            if form.is_valid():
                try:
                    membership = services.accept_invitation_as_new_user(
                        invitation=self.invitation,
                        full_name=form.cleaned_data["full_name"],
                        password=form.cleaned_data["password1"],
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    login(request, membership.user, backend=SIGN_IN_BACKEND)
                    return self.welcome()
            return self.render_page(state, form=form)
        return self.render_page(state)  # nothing to accept from here; the page says why

    def welcome(self) -> HttpResponse:
        messages.success(self.request, f"Welcome to {self.organization.name}.")
        return redirect("web:dashboard", org_slug=self.organization.slug)

    def render_page(
        self, state: str, *, form: AcceptInvitationSignupForm | None = None, error: str = ""
    ) -> HttpResponse:
        status = {"unavailable": 410, "error": 400}.get(state, status_for(form))
        context = {
            "state": state,
            "invitation": self.invitation,
            "invitation_status": self.invitation.status(),
            "organization": self.organization,
            "form": form,
            "error": error,
            "login_url": f"{reverse('account_login')}?{urlencode({'next': self.request.path})}",
            "page_title": f"Invitation to {self.organization.name}",
        }
        return render(self.request, "tenancy/invitation_accept.html", context, status=status)
