app_name = "trustcenter"

urlpatterns: list = []
