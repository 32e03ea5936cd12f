from django.urls import path

from trustroom.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.AuditEventListView.as_view(), name="events"),
    path("verify/", views.ChainStatusView.as_view(), name="verify"),
    path("<int:pk>/", views.AuditEventDetailView.as_view(), name="event-detail"),
]
