"""/o/<org_slug>/monitoring/: alerts and their sources."""

app_name = "monitoring"

urlpatterns: list = []
