"""API of the trust center's access flow, under /api/v1/orgs/<org_slug>/trust-center/:
settings/, terms/, access-requests/ (approve, deny), grants/ (revoke), customer-accounts/.

The viewsets validate input and call `trustroom.trustcenter.services`; permissions come from the models'
policies via the base class.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.tenancy.api import NULLABLE_EMAIL, OrgResourceViewSet, StrictInputMixin, email_or_none
from trustroom.trustcenter import selectors, services
from trustroom.trustcenter.models import (
    AccessGrant,
    AccessRequest,
    ConfidentialityTerms,
    CustomerAccount,
    CustomerContact,
    TrustCenterSettings,
)

# Computed when read; named so the OpenAPI enum gets its own name.
GRANT_STATUS_CHOICES = ("active", "expired", "revoked")


# --- Settings ------------------------------------------------------------------------------------------


class TrustCenterSettingsSerializer(StrictInputMixin, serializers.ModelSerializer):
    auto_approve_domains = serializers.ListField(child=serializers.CharField(max_length=253), required=False)
    refused_email_domains = serializers.ListField(child=serializers.CharField(max_length=253), required=False)
    default_grant_days = serializers.IntegerField(
        min_value=1, max_value=services.MAX_GRANT_DAYS, required=False
    )
    # null until the settings are first saved (an organization starts with the defaults)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = TrustCenterSettings
        fields = [
            "published",
            "intro",
            "default_grant_days",
            "auto_approve_domains",
            "refused_email_domains",
            "claim_access_reviews",
            "claim_production_access",
            "claim_dr_testing",
            "claim_posture_policy",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


@extend_schema_view(
    trust_center_settings=extend_schema(
        summary="The trust center's settings",
        description="GET reads them (every member); PATCH changes whether it is published, its "
        "introduction, the default length of access and the e-mail domain rules (owners and admins).",
        request=TrustCenterSettingsSerializer,
        responses=TrustCenterSettingsSerializer,
    )
)
class TrustCenterSettingsViewSet(OrgResourceViewSet):
    policy_model = TrustCenterSettings
    serializer_class = TrustCenterSettingsSerializer

    @action(detail=False, methods=["get", "patch"], url_path="settings", url_name="settings")
    def trust_center_settings(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        config = selectors.trust_center_settings()
        if request.method == "PATCH":
            body = TrustCenterSettingsSerializer(config, data=request.data, partial=True)
            body.is_valid(raise_exception=True)
            config = services.update_settings(actor=self.principal, **body.validated_data)
        return Response(TrustCenterSettingsSerializer(config).data)

    def policy_action(self, request: Request) -> str:
        return "change" if request.method == "PATCH" else "view"


# --- Terms -----------------------------------------------------------------------------------------------


class TermsSerializer(serializers.ModelSerializer):
    published_by = serializers.SerializerMethodField()
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = ConfidentialityTerms
        fields = ["id", "version", "title", "body", "published_at", "published_by", "is_current"]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_published_by(self, terms: ConfidentialityTerms) -> str | None:
        return email_or_none(terms.published_by)

    def get_is_current(self, terms: ConfidentialityTerms) -> bool:
        current = self.context.get("current_id")
        return bool(current == terms.pk)


class TermsCreateSerializer(StrictInputMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, default="Confidentiality terms")
    body = serializers.CharField()


@extend_schema_view(
    list=extend_schema(summary="Versions of the confidentiality terms, newest (current) first"),
    retrieve=extend_schema(summary="One version of the terms"),
    create=extend_schema(
        summary="Publish a new version of the terms",
        description="Every visitor must accept the new version before their next download.",
        request=TermsCreateSerializer,
        responses={201: TermsSerializer},
    ),
)
class TermsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = ConfidentialityTerms
    serializer_class = TermsSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return ConfidentialityTerms.objects.select_related("published_by").order_by("-version")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            current = selectors.current_terms()
            context["current_id"] = current.pk if current else None
        return context

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = TermsCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        terms = services.publish_terms(actor=self.principal, **body.validated_data)
        data = TermsSerializer(terms, context={"current_id": terms.pk}).data
        return Response(data, status=status.HTTP_201_CREATED)


# --- Access requests and grants -------------------------------------------------------------------------


class AccessRequestSerializer(serializers.ModelSerializer):
    decided_by = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta:
        model = AccessRequest
        fields = [
            "id",
            "name",
            "email",
            "company",
            "reason",
            "status",
            "all_gated_documents",
            "documents",
            "email_verified_at",
            "auto_approved_by",
            "decided_at",
            "decided_by",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_decided_by(self, obj: AccessRequest) -> str | None:
        return email_or_none(obj.decided_by)

    def get_documents(self, obj: AccessRequest) -> list[int]:
        return sorted(obj.document_links.values_list("document_id", flat=True))


class ApproveSerializer(StrictInputMixin, serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1,
        max_value=services.MAX_GRANT_DAYS,
        required=False,
        help_text="How long access lasts; default: the trust center's setting.",
    )


class DenySerializer(StrictInputMixin, serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class GrantSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    revoked_by = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta:
        model = AccessGrant
        fields = [
            "id",
            "request",
            "customer_account",
            "name",
            "email",
            "company",
            "status",
            "all_gated_documents",
            "documents",
            "created_at",
            "expires_at",
            "revoked_at",
            "revoked_by",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=GRANT_STATUS_CHOICES))
    def get_status(self, grant: AccessGrant) -> str:
        return str(grant.status())  # computed when read: expiry needs no background job

    @extend_schema_field(NULLABLE_EMAIL)
    def get_revoked_by(self, grant: AccessGrant) -> str | None:
        return email_or_none(grant.revoked_by)

    def get_documents(self, grant: AccessGrant) -> list[int]:
        return sorted(grant.document_links.values_list("document_id", flat=True))


@extend_schema_view(
    list=extend_schema(summary="Access requests, pending first"),
    retrieve=extend_schema(summary="One access request"),
    approve=extend_schema(
        summary="Approve a verified, pending request",
        description="Creates a grant (default length: the settings') and e-mails the access link.",
        request=ApproveSerializer,
        responses={201: GrantSerializer},
    ),
    deny=extend_schema(
        summary="Deny a pending request", request=DenySerializer, responses=AccessRequestSerializer
    ),
)
class AccessRequestsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = AccessRequest
    serializer_class = AccessRequestSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return selectors.requests_pending_first()

    def policy_action(self, request: Request) -> str:
        return "change" if self.action in ("approve", "deny") else super().policy_action(request)

    @action(detail=True, methods=["post"])
    def approve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        access_request = self.get_object()
        body = ApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        grant, _secret = services.approve_access_request(
            actor=self.principal, access_request=access_request, days=body.validated_data.get("days")
        )
        return Response(GrantSerializer(grant).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def deny(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        access_request = self.get_object()
        body = DenySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        denied = services.deny_access_request(
            actor=self.principal, access_request=access_request, note=body.validated_data.get("note", "")
        )
        return Response(AccessRequestSerializer(denied).data)


@extend_schema_view(
    list=extend_schema(summary="Access grants"),
    retrieve=extend_schema(summary="One access grant"),
    revoke=extend_schema(
        summary="Revoke a grant",
        description="The access link and every download link already handed out stop working at once.",
        request=None,
        responses=GrantSerializer,
    ),
    resend=extend_schema(
        summary="E-mail the holder a new access link",
        description="The previous access link stops working.",
        request=None,
        responses=GrantSerializer,
    ),
)
class GrantsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = AccessGrant
    serializer_class = GrantSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return AccessGrant.objects.select_related("revoked_by")

    def policy_action(self, request: Request) -> str:
        if self.action == "revoke":
            return "delete"
        if self.action == "resend":
            return "change"
        return super().policy_action(request)

    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        grant = services.revoke_grant(actor=self.principal, grant=self.get_object())
        return Response(GrantSerializer(grant).data)

    @action(detail=True, methods=["post"])
    def resend(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        grant, _secret = services.resend_access_link(actor=self.principal, grant=self.get_object())
        return Response(GrantSerializer(grant).data)


# --- Customer accounts ------------------------------------------------------------------------------------


class CustomerAccountSerializer(StrictInputMixin, serializers.ModelSerializer):
    email_domains = serializers.ListField(child=serializers.CharField(max_length=253), required=False)
    documents = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Ids of gated documents it may access."
    )
    contacts = serializers.SerializerMethodField()

    class Meta:
        model = CustomerAccount
        fields = ["id", "name", "email_domains", "all_gated_documents", "documents", "contacts", "created_at"]
        read_only_fields = ["id", "contacts", "created_at"]

    def to_representation(self, instance: CustomerAccount) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["documents"] = sorted(instance.document_links.values_list("document_id", flat=True))
        return data

    @extend_schema_field(serializers.ListField(child=serializers.EmailField()))
    def get_contacts(self, account: CustomerAccount) -> list[str]:
        return [contact.email for contact in account.contacts.all()]


@extend_schema_view(
    list=extend_schema(summary="Customer accounts"),
    retrieve=extend_schema(summary="One customer account"),
    create=extend_schema(summary="Create a customer account"),
    partial_update=extend_schema(summary="Change a customer account's name, domains or documents"),
)
class CustomerAccountsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = CustomerAccount
    serializer_class = CustomerAccountSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return CustomerAccount.objects.prefetch_related("contacts")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = CustomerAccountSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        account = services.create_customer_account(
            actor=self.principal,
            name=data["name"],
            email_domains=data.get("email_domains", []),
            all_gated_documents=data.get("all_gated_documents", False),
            document_ids=data.get("documents", []),
        )
        return Response(CustomerAccountSerializer(account).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        account = self.get_object()
        body = CustomerAccountSerializer(account, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        account = services.update_customer_account(
            actor=self.principal,
            account=account,
            name=data.get("name"),
            email_domains=data.get("email_domains"),
            all_gated_documents=data.get("all_gated_documents"),
            document_ids=data.get("documents"),
        )
        return Response(CustomerAccountSerializer(account).data)


class CustomerContactSerializer(serializers.ModelSerializer):
    invited = serializers.SerializerMethodField()

    class Meta:
        model = CustomerContact
        fields = ["id", "account", "name", "email", "invited", "invite_expires_at", "created_at"]
        read_only_fields = fields

    def get_invited(self, contact: CustomerContact) -> bool:
        """True while the contact has an unused link to create their sign-in."""
        return bool(contact.invite_digest)


class CustomerContactCreateSerializer(StrictInputMixin, serializers.Serializer):
    account = serializers.IntegerField(help_text="Id of the customer account.")
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(summary="Contacts of the customer accounts"),
    retrieve=extend_schema(summary="One customer contact"),
    create=extend_schema(
        summary="Add a contact to a customer account",
        description="E-mails them a link to create their sign-in (or, if they have one, where to look).",
        request=CustomerContactCreateSerializer,
        responses={201: CustomerContactSerializer},
    ),
    destroy=extend_schema(summary="Remove a contact", responses={204: None}),
    invite=extend_schema(
        summary="E-mail a contact again",
        description="A fresh link to create their sign-in if they have none; the old link stops working.",
        request=None,
        responses=CustomerContactSerializer,
    ),
)
class CustomerContactsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgResourceViewSet):
    policy_model = CustomerContact
    serializer_class = CustomerContactSerializer

    def scoped_queryset(self) -> QuerySet[Any]:
        return CustomerContact.objects.select_related("account")

    def policy_action(self, request: Request) -> str:
        return "change" if self.action == "invite" else super().policy_action(request)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = CustomerContactCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        account = CustomerAccount.objects.filter(pk=body.validated_data["account"]).first()
        if account is None:
            raise serializers.ValidationError({"account": ["No such customer account."]})
        contact = services.add_customer_contact(
            actor=self.principal,
            account=account,
            email=body.validated_data["email"],
            name=body.validated_data["name"],
        )
        return Response(CustomerContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.remove_customer_contact(actor=self.principal, contact=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def invite(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contact = self.get_object()
        services.invite_customer_contact(actor=self.principal, contact=contact)
        contact.refresh_from_db()
        return Response(CustomerContactSerializer(contact).data)


def register(router: SimpleRouter) -> None:
    from trustroom.trustcenter.api_attestations import SafeToHostViewSet
    from trustroom.trustcenter.api_claim_policies import ClaimPolicyViewSet
    from trustroom.trustcenter.api_posture import ClaimBindingViewSet

    router.register(r"trust-center", TrustCenterSettingsViewSet, basename="trust-center")
    router.register(r"trust-center/safe-to-host", SafeToHostViewSet, basename="safe-to-host")
    router.register(r"trust-center/claim-bindings", ClaimBindingViewSet, basename="claim-binding")
    router.register(r"trust-center/claim-policies", ClaimPolicyViewSet, basename="claim-policy")
    router.register(r"trust-center/terms", TermsViewSet, basename="trust-center-terms")
    router.register(r"trust-center/access-requests", AccessRequestsViewSet, basename="access-request")
    router.register(r"trust-center/grants", GrantsViewSet, basename="access-grant")
    router.register(r"trust-center/customer-accounts", CustomerAccountsViewSet, basename="customer-account")
    router.register(r"trust-center/customer-contacts", CustomerContactsViewSet, basename="customer-contact")
