"""/o/<org_slug>/access/: each concept's views module lists its own routes."""

from trustroom.access.views import grants, groups, inventory, overview, requests

app_name = "access"

urlpatterns = [
    *overview.urlpatterns,
    *inventory.urlpatterns,
    *grants.urlpatterns,
    *requests.urlpatterns,
    *groups.urlpatterns,
]
