"""/o/<org_slug>/monitoring/: alerts, their sources, and incidents."""

from trustroom.monitoring import incident_views, views

app_name = "monitoring"

urlpatterns = views.urlpatterns + incident_views.urlpatterns
