from django.urls import path

from . import views

app_name = "duplicates"

urlpatterns = [
    path("hot-issues/", views.hot_issues, name="hot_issues"),
    path("hot-issues/<str:key>/", views.hot_issue, name="hot_issue"),
    path("intake/duplicates/", views.intake_candidates, name="intake_candidates"),
    path("intake/duplicates/<str:number>/merge/", views.intake_merge, name="intake_merge"),
    path("intake/duplicates/<str:number>/join/", views.intake_join, name="intake_join"),
]
