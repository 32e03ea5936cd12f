"""/o/<org_slug>/access/: each concept's views module lists its own routes."""

from trustroom.access.views import grants, groups, imports, inventory, overview, requests, reviews, rules

app_name = "access"

urlpatterns = [
    *overview.urlpatterns,
    *inventory.urlpatterns,
    *grants.urlpatterns,
    *requests.urlpatterns,
    *groups.urlpatterns,
    *reviews.urlpatterns,
    *rules.urlpatterns,
    *imports.urlpatterns,
]
