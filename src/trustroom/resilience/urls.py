from django.urls import path

from trustroom.resilience import views

app_name = "resilience"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("plans/new/", views.PlanCreateView.as_view(), name="plan-create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan-detail"),
    path("plans/<int:pk>/edit/", views.PlanEditView.as_view(), name="plan-edit"),
    path("plans/<int:pk>/drills/new/", views.DrillCreateView.as_view(), name="drill-create"),
    path("exercises/", views.ExercisesView.as_view(), name="exercises"),
    path("exercises/new/", views.ExerciseCreateView.as_view(), name="exercise-create"),
    path("exercises/<int:pk>/", views.ExerciseDetailView.as_view(), name="exercise-detail"),
    path(
        "exercises/<int:pk>/action-items/",
        views.ExerciseActionItemsView.as_view(),
        name="exercise-action-items",
    ),
    path("action-items/", views.ActionItemsView.as_view(), name="action-items"),
    path("action-items/new/", views.ActionItemCreateView.as_view(), name="action-item-create"),
    path("action-items/<int:pk>/edit/", views.ActionItemEditView.as_view(), name="action-item-edit"),
]
