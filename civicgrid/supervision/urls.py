from django.urls import path

from . import project_views, views

app_name = "supervision"

urlpatterns = [
    path("", views.orders, name="orders"),
    path("inspection/", views.inspection, name="inspection"),
    path("cases/<str:number>/orders/", views.issue, name="issue"),
    path("cases/<str:number>/visits/", views.visit, name="visit"),
    path("cases/<str:number>/reviews/", views.review, name="review"),
    path("orders/<int:pk>/respond/", views.respond, name="respond"),
    path("orders/<int:pk>/close/", views.close, name="close"),
    path("inspection/<int:pk>/measures/", views.measure, name="measure"),
    path("inspection/<int:pk>/sign-off/", views.sign_off, name="sign_off"),
    path("projects/", project_views.project_list, name="projects"),
    path("projects/<int:pk>/", project_views.project_detail, name="project"),
    path("projects/<int:pk>/milestones/", project_views.milestone_add, name="milestone_add"),
    path(
        "projects/<int:pk>/milestones/<int:milestone>/done/",
        project_views.milestone_done,
        name="milestone_done",
    ),
    path("projects/<int:pk>/close/", project_views.project_close, name="project_close"),
]
