from django.urls import path

from trustroom.controls import views

app_name = "controls"

urlpatterns = [
    path("", views.ControlsView.as_view(), name="controls"),
    path("new/", views.ControlCreateView.as_view(), name="control-create"),
    path("<int:pk>/", views.ControlDetailView.as_view(), name="control-detail"),
    path("<int:pk>/evidence/", views.EvidenceAddView.as_view(), name="evidence-add"),
    path("checks/", views.ChecksView.as_view(), name="checks"),
    path("checks/new/", views.CheckCreateView.as_view(), name="check-create"),
    path("checks/<int:pk>/", views.CheckDetailView.as_view(), name="check-detail"),
    path("checks/<int:pk>/run/", views.CheckRunView.as_view(), name="check-run"),
    path("checks/<int:pk>/snapshot/", views.SnapshotUploadView.as_view(), name="snapshot-upload"),
]
