"""The VAPT programme's pages under /o/<org_slug>/assessments/, one module per concept, each with its
own `urlpatterns` (joined in `assessments/urls.py`)."""
