"""/o/<org_slug>/monitoring/: alerts and their sources; alert routing (notifiers, rules, deliveries);
incidents."""

from trustroom.monitoring import incident_views, routing_views, views

app_name = "monitoring"

urlpatterns = views.urlpatterns + routing_views.urlpatterns + incident_views.urlpatterns
