from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from trustroom.tenancy.selectors import memberships_of_user


class ApiRootView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        return Response(
            {
                "version": "v1",
                "organizations": request.build_absolute_uri("/api/v1/orgs/"),
                "schema": request.build_absolute_uri("/api/schema/"),
                "docs": request.build_absolute_uri("/api/docs/"),
            }
        )


class MyOrganizationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()


class MyOrganizationsView(APIView):
    """The organizations the signed-in person belongs to (session authentication only)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MyOrganizationSerializer(many=True))
    def get(self, request: Request) -> Response:
        data = [
            {"slug": m.organization.slug, "name": m.organization.name, "role": m.role}
            for m in memberships_of_user(request.user)
        ]
        return Response(MyOrganizationSerializer(data, many=True).data)
