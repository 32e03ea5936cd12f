"""/o/<org_slug>/disclosure/ (namespace `disclosure`)."""

from django.urls import path

from trustroom.disclosure import views

app_name = "disclosure"

urlpatterns = [
    path("", views.ReportListView.as_view(), name="reports"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report"),
    path("rewards/<int:pk>/status/", views.RewardStatusView.as_view(), name="reward-status"),
    path("policy/", views.PolicyView.as_view(), name="policy"),
]
