from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("propose/", views.propose, name="propose"),
    path("<int:pk>/propose/", views.propose, name="propose_change"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/<int:pk>/review/", views.review, name="review"),
    path("stats/", views.stats, name="stats"),
    path("lookup/", views.lookup, name="lookup"),
    path("lookup/<int:pk>/", views.use, name="use"),
]
