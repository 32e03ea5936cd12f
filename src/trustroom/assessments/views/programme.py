"""Pages of the VAPT programme: programme."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
