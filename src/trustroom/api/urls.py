"""/api/: the versioned API, its OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from trustroom.api.views import ApiRootView, MyOrganizationsView
from trustroom.identity import schema  # noqa: F401  (registers the token authentication's OpenAPI extension)


class SchemaView(SpectacularAPIView):
    http_method_names = ["get", "head"]


class SwaggerView(SpectacularSwaggerView):
    http_method_names = ["get", "head"]  # its OPTIONS answer would try to render a template: 500


class RedocView(SpectacularRedocView):
    http_method_names = ["get", "head"]


router = SimpleRouter(trailing_slash=True)
API_MODULES = (
    "trustroom.tenancy.api",
    "trustroom.identity.api",
    "trustroom.audit.api",
    "trustroom.notifications.api",
    "trustroom.vault.api",
    "trustroom.compliance.api",
    "trustroom.trustcenter.api",
    "trustroom.assessments.api",
    "trustroom.answers.api",
    "trustroom.resilience.api",
    "trustroom.access.api",
    "trustroom.monitoring.api",
    "trustroom.monitoring.incident_api",
    "trustroom.monitoring.routing_api",
    "trustroom.disclosure.api",
    "trustroom.controls.api",
    "trustroom.controls.audit_api",
)
for module in API_MODULES:
    __import__(module, fromlist=["register"]).register(router)

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("v1/", ApiRootView.as_view(), name="api-root"),
    path("v1/orgs/", MyOrganizationsView.as_view(), name="api-my-orgs"),
    path("v1/orgs/<slug:org_slug>/", include(router.urls)),
]
