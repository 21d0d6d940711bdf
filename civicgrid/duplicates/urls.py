from django.urls import path

from . import views

app_name = "duplicates"

urlpatterns = [
    path("hot-issues/", views.hot_issues, name="hot_issues"),
    path("hot-issues/<str:key>/", views.hot_issue, name="hot_issue"),
    path("hot-issues/<str:key>/batch/", views.hot_issue_batch, name="hot_issue_batch"),
    path(
        "hot-issues/<str:key>/batch/<int:pk>/",
        views.hot_issue_batch_result,
        name="hot_issue_batch_result",
    ),
    path("intake/duplicates/", views.intake_candidates, name="intake_candidates"),
    path("intake/duplicates/<str:number>/merge/", views.intake_merge, name="intake_merge"),
    path("intake/duplicates/<str:number>/join/", views.intake_join, name="intake_join"),
]
