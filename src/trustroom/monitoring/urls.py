"""/o/<org_slug>/monitoring/: alerts and their sources; alert routing (notifiers, rules, deliveries)."""

from trustroom.monitoring import routing_views, views

app_name = "monitoring"

urlpatterns = views.urlpatterns + routing_views.urlpatterns
