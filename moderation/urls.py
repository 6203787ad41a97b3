from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("flag/<int:pk>/", views.flag_comment, name="flag"),
    path("reveal/<int:pk>/", views.reveal_identity, name="reveal"),
    path("reveals/", views.reveal_list, name="reveals"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
