"""/o/<org_slug>/access/: each concept's views module lists its own routes."""

from trustroom.access.views import imports, reviews, rules

app_name = "access"

urlpatterns = [
    *reviews.urlpatterns,
    *rules.urlpatterns,
    *imports.urlpatterns,
]
