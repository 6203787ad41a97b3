from django.urls import path

from . import views

app_name = "watching"

urlpatterns = [
    path("<int:post_id>/", views.watch, name="watch"),
    path("stop/<str:token>/", views.stop, name="stop"),
]
