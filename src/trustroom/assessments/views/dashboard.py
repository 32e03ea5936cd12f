"""Pages of the VAPT programme: dashboard."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
