from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("figures/", views.figures, name="figures"),
    path("lists/", views.lists, name="lists"),
    path("reverse/", views.reverse_evaluation, name="reverse"),
]
