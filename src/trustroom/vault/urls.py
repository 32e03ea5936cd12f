from django.urls import path

from trustroom.vault import views

app_name = "vault"

urlpatterns = [
    path("", views.DocumentListView.as_view(), name="documents"),
    path("upload/", views.DocumentUploadView.as_view(), name="upload"),
    path("<int:pk>/", views.DocumentDetailView.as_view(), name="detail"),
    path("<int:pk>/download/", views.DocumentDownloadView.as_view(), name="download"),
    path("<int:pk>/delete/", views.DocumentDeleteView.as_view(), name="delete"),
]
