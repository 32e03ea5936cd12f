from django.urls import path

from trustroom.identity import account_views, support_views

app_name = "identity-account"

urlpatterns = [
    path("security/activity/", account_views.sign_in_activity, name="activity"),
    path("support/", support_views.my_support_access, name="support"),
]
