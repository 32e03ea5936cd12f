from django.urls import path

from trustroom.controls import audit_views, edit_views, views

app_name = "controls"

urlpatterns = [
    path("", views.ControlsView.as_view(), name="controls"),
    path("new/", views.ControlCreateView.as_view(), name="control-create"),
    path("<int:pk>/", views.ControlDetailView.as_view(), name="control-detail"),
    path("<int:pk>/edit/", edit_views.ControlEditView.as_view(), name="control-edit"),
    path("<int:pk>/delete/", edit_views.ControlDeleteView.as_view(), name="control-delete"),
    path("<int:pk>/evidence/", views.EvidenceAddView.as_view(), name="evidence-add"),
    path(
        "<int:control_pk>/evidence/<int:pk>/remove/",
        edit_views.EvidenceRemoveView.as_view(),
        name="evidence-remove",
    ),
    path("checks/", views.ChecksView.as_view(), name="checks"),
    path("checks/new/", views.CheckCreateView.as_view(), name="check-create"),
    path("checks/<int:pk>/", views.CheckDetailView.as_view(), name="check-detail"),
    path("checks/<int:pk>/edit/", edit_views.CheckEditView.as_view(), name="check-edit"),
    path("checks/<int:pk>/delete/", edit_views.CheckDeleteView.as_view(), name="check-delete"),
    path("checks/<int:pk>/run/", views.CheckRunView.as_view(), name="check-run"),
    path("checks/runs/<int:pk>/", views.RunView.as_view(), name="check-run-detail"),
    path("checks/runs/<int:pk>/progress/", views.RunProgressView.as_view(), name="check-run-progress"),
    path("checks/<int:pk>/snapshot/", views.SnapshotUploadView.as_view(), name="snapshot-upload"),
    # The auditor workspace.
    path("audit/", audit_views.AuditPeriodsView.as_view(), name="audit-periods"),
    path("audit/new/", audit_views.AuditPeriodCreateView.as_view(), name="audit-period-create"),
    path("audit/<int:pk>/", audit_views.AuditPeriodDetailView.as_view(), name="audit-period-detail"),
    path("audit/<int:pk>/edit/", audit_views.AuditPeriodEditView.as_view(), name="audit-period-edit"),
    path("audit/<int:pk>/delete/", audit_views.AuditPeriodDeleteView.as_view(), name="audit-period-delete"),
    path("audit/<int:pk>/status/", audit_views.AuditPeriodStatusView.as_view(), name="audit-period-status"),
    path("audit/<int:pk>/auditors/", audit_views.AuditorAssignView.as_view(), name="audit-auditor-assign"),
    path(
        "audit/<int:period_pk>/auditors/<int:pk>/remove/",
        audit_views.AuditorUnassignView.as_view(),
        name="audit-auditor-unassign",
    ),
    path("audit/<int:pk>/export/", audit_views.PackageExportView.as_view(), name="evidence-package-export"),
    path("audit/packages/<int:pk>/", audit_views.PackageView.as_view(), name="evidence-package"),
    path(
        "audit/packages/<int:pk>/progress/",
        audit_views.PackageProgressView.as_view(),
        name="evidence-package-progress",
    ),
    path(
        "audit/packages/<int:pk>/download/",
        audit_views.PackageDownloadView.as_view(),
        name="evidence-package-download",
    ),
]
