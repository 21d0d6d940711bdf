from django.urls import path

from . import views

app_name = "petitions"

urlpatterns = [
    path("", views.petitions, name="list"),
    path("register/", views.register, name="register"),
    path("mine/", views.owned, name="owned"),
    path("cases/<str:number>/register/", views.register_on_case, name="register_on_case"),
    path("cases/<str:number>/act/", views.act, name="act"),
    path("cases/<str:number>/notice.pdf", views.notice, name="notice"),
]
