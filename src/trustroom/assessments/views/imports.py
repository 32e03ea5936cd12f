"""Pages of the VAPT programme: imports."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
