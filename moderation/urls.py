from django.urls import path

from . import people, views

app_name = "moderation"

urlpatterns = [
    path("flag/<int:pk>/", views.flag_comment, name="flag"),
    path("comments/<int:pk>/decide/", views.decide_comment, name="decide"),
    path("posts/<int:pk>/cool/", views.cool_thread, name="cool"),
    path("people/<str:handle>/", people.person, name="person"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
