"""/o/<org_slug>/assessments/: the landing page is the dashboard; each concept's views module lists its
own routes."""

from trustroom.assessments.views import dashboard, findings, imports, programme

app_name = "assessments"

urlpatterns = [
    *dashboard.urlpatterns,
    *programme.urlpatterns,
    *findings.urlpatterns,
    *imports.urlpatterns,
]
