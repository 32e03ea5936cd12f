"""Pages of the VAPT programme: findings."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
