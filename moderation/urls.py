from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("flag/<int:pk>/", views.flag_comment, name="flag"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
