"""API of the tenancy app: the organization's profile, its members and invitations.

Routes (under /api/v1/orgs/<org_slug>/): profile/, members/, invitations/. The viewsets validate input
and call `trustroom.tenancy.services`; permissions come from the models' policies via the base class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.api.base import OrgScopedViewSet
from trustroom.tenancy import services
from trustroom.tenancy.models import Invitation, Membership, Organization, Role
from trustroom.tenancy.selectors import members_of
from trustroom.tenancy.views import invitation_link, send_invitation_email

# --- Shared by the API modules of tenancy and identity ---------------------------------------------

# Sent by HTML forms along with the data; never a field of a resource.
_IGNORED_INPUT = frozenset({"csrfmiddlewaretoken"})


# Statuses are computed when read; named so the OpenAPI enum can be given its own name.
INVITATION_STATUS_CHOICES = ("pending", "accepted", "revoked", "expired")


class StrictInputMixin:
    """Refuse fields the endpoint does not take, so a typo or a read-only field is a 400, not a no-op."""

    fields: Any

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable - _IGNORED_INPUT)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field cannot be set here."] for name in unknown}
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class OrgResourceViewSet(OrgScopedViewSet):
    """Base of this project's organization viewsets: integer ids, and a schema that builds offline."""

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no organization
            model: type[Model] | None = self.get_policy_model()
            return QuerySet(model=model).none()
        return self.scoped_queryset()

    def scoped_queryset(self) -> QuerySet[Any]:
        return super().get_queryset()


# The schema of a field filled by email_or_none: a person's account can be deleted, leaving null.
NULLABLE_EMAIL = serializers.EmailField(allow_null=True)


def email_or_none(user: Any) -> str | None:
    return getattr(user, "email", None) if user is not None else None


# --- Organization profile ----------------------------------------------------------------------------


class OrganizationSerializer(StrictInputMixin, serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name", "legal_name", "registration_number", "tax_id", "website", "created_at"]
        read_only_fields = ["slug", "created_at"]


@extend_schema_field(OpenApiTypes.INT)
class MemberField(serializers.PrimaryKeyRelatedField):
    """A member of the organization, by user id."""

    def get_queryset(self) -> QuerySet[Any]:
        organization = getattr(self.context.get("view"), "organization", None)
        if organization is None:
            return get_user_model().objects.none()
        return get_user_model().objects.filter(
            pk__in=members_of(organization).values_list("user_id", flat=True)
        )


@extend_schema_field(OpenApiTypes.INT)
class ScopedField(serializers.PrimaryKeyRelatedField):
    """A record of the organization by id (the default managers only see the current organization)."""

    def __init__(self, model: type[Any], **kwargs: Any) -> None:
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self.context.get("view"), "organization", None) is None:
            return self.model._default_manager.none()
        return self.model.objects.all()


@extend_schema_view(
    profile=extend_schema(
        summary="The organization's profile",
        description="GET reads it (every member); PATCH changes name, legal name, registration number, "
        "tax id or website (owners and admins). The slug cannot change.",
        request=OrganizationSerializer,
        responses=OrganizationSerializer,
    )
)
class OrganizationProfileViewSet(OrgResourceViewSet):
    policy_model = Organization
    serializer_class = OrganizationSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return Organization.objects.filter(pk=self.organization.pk)

    @action(detail=False, methods=["get", "patch"], url_path="profile")
    def profile(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        organization = self.organization
        self.check_object_permissions(request, organization)
        if request.method == "PATCH":
            serializer = OrganizationSerializer(organization, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            organization = services.update_organization(actor=self.principal, **serializer.validated_data)
        return Response(OrganizationSerializer(organization).data)


# --- Members -----------------------------------------------------------------------------------------


class MemberUserSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class MembershipSerializer(serializers.ModelSerializer):
    user = MemberUserSerializer(read_only=True)
    joined_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "joined_at"]
        read_only_fields = fields


class MembershipRoleSerializer(StrictInputMixin, serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


@extend_schema_view(
    list=extend_schema(summary="List the organization's members"),
    retrieve=extend_schema(summary="One member"),
    partial_update=extend_schema(
        summary="Change a member's role",
        description="Owners change anyone's role; admins anyone's but an owner's, and cannot grant owner. "
        "Nobody changes their own role, and the last owner stays an owner.",
        request=MembershipRoleSerializer,
        responses=MembershipSerializer,
    ),
    destroy=extend_schema(summary="Remove a member", responses={204: None}),
)
class MembersViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = Membership
    serializer_class = MembershipSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        # Memberships are not behind the organization scope: always read them through the selector.
        return members_of(self.organization)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        membership = self.get_object()
        body = MembershipRoleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = services.change_member_role(
            actor=self.principal, membership=membership, role=body.validated_data["role"]
        )
        return Response(MembershipSerializer(membership).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.remove_member(actor=self.principal, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Invitations -------------------------------------------------------------------------------------


class InvitationSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    invited_by = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=INVITATION_STATUS_CHOICES))
    def get_status(self, invitation: Invitation) -> str:
        return invitation.status()  # computed when read: an expired invitation needs no job to say so

    @extend_schema_field(NULLABLE_EMAIL)
    def get_invited_by(self, invitation: Invitation) -> str | None:
        return email_or_none(invitation.invited_by)


class InvitationCreateSerializer(StrictInputMixin, serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationCreatedSerializer(InvitationSerializer):
    accept_url = serializers.URLField(
        read_only=True,
        help_text="The link that accepts the invitation. Returned once, only here; also e-mailed.",
    )

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "accept_url"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="List invitations"),
    retrieve=extend_schema(summary="One invitation"),
    create=extend_schema(
        summary="Invite someone by e-mail",
        description="E-mails the link, and returns it once as `accept_url`. A pending invitation for the "
        "same address is replaced.",
        request=InvitationCreateSerializer,
        responses={201: InvitationCreatedSerializer},
    ),
    destroy=extend_schema(
        summary="Revoke an invitation",
        description="The invitation stays listed, as revoked; its link stops working.",
        responses=InvitationSerializer,
    ),
)
class InvitationsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = Invitation
    serializer_class = InvitationSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return Invitation.objects.select_related("invited_by")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = InvitationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invitation, secret = services.invite_member(actor=self.principal, **body.validated_data)
        link = invitation_link(self.organization, secret)
        send_invitation_email(
            invitation=invitation, organization=self.organization, link=link, inviter=self.principal.label
        )
        invitation.accept_url = link  # type: ignore[attr-defined]
        return Response(InvitationCreatedSerializer(invitation).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        invitation = services.revoke_invitation(actor=self.principal, invitation=self.get_object())
        return Response(InvitationSerializer(invitation).data)


def register(router: SimpleRouter) -> None:
    # The profile is one resource per organization: an empty prefix puts its action at profile/.
    router.register(r"", OrganizationProfileViewSet, basename="organization")
    router.register(r"members", MembersViewSet, basename="member")
    router.register(r"invitations", InvitationsViewSet, basename="invitation")
