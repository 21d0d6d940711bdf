from django.urls import path

from . import views

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
]
