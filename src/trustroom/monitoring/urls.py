"""/o/<org_slug>/monitoring/: alerts and their sources."""

from trustroom.monitoring import views

app_name = "monitoring"

urlpatterns = views.urlpatterns
