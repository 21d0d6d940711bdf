from django.urls import path

from . import views

app_name = "centres"

urlpatterns = [
    path("rota/", views.rota, name="rota"),
    path("cases/<str:number>/summon/", views.summon, name="summon"),
    path("parts/<int:pk>/reply/", views.reply, name="reply"),
]
