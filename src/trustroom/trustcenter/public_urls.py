"""/trust/<org_slug>/: the organization's public trust center."""

app_name = "trust"

urlpatterns: list = []
