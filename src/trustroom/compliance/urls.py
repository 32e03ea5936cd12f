from django.urls import path

from trustroom.compliance import views

app_name = "compliance"

urlpatterns = [
    path("", views.RegisterView.as_view(), name="register"),
    path("statements/new/", views.StatementCreateView.as_view(), name="statement-create"),
    path("statements/<int:pk>/", views.StatementDetailView.as_view(), name="statement-detail"),
    path("statements/<int:pk>/edit/", views.StatementEditView.as_view(), name="statement-edit"),
    path("statements/<int:pk>/delete/", views.StatementDeleteView.as_view(), name="statement-delete"),
    path("frameworks/", views.FrameworksView.as_view(), name="frameworks"),
    path("certifications/", views.CertificationsView.as_view(), name="certifications"),
    path("certifications/new/", views.CertificationCreateView.as_view(), name="certification-create"),
    path("certifications/<int:pk>/", views.CertificationDetailView.as_view(), name="certification-detail"),
    path("certifications/<int:pk>/edit/", views.CertificationEditView.as_view(), name="certification-edit"),
    path(
        "certifications/<int:pk>/renewal/",
        views.CertificationRenewalView.as_view(),
        name="certification-renewal",
    ),
    path(
        "certifications/<int:pk>/supersede/",
        views.CertificationSupersedeView.as_view(),
        name="certification-supersede",
    ),
    path(
        "certifications/<int:pk>/document/",
        views.CertificationDocumentView.as_view(),
        name="certification-document",
    ),
    path(
        "certifications/<int:pk>/delete/",
        views.CertificationDeleteView.as_view(),
        name="certification-delete",
    ),
]
