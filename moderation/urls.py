from django.urls import path

from . import people, views

app_name = "moderation"

urlpatterns = [
    path("flag/<int:pk>/", views.flag_comment, name="flag"),
    path("comments/<int:pk>/decide/", views.decide_comment, name="decide"),
    path("posts/<int:pk>/cool/", views.cool_thread, name="cool"),
    path("people/<str:handle>/", people.person, name="person"),
    path("reveal/<int:pk>/", views.reveal_identity, name="reveal"),
    path("reveals/", views.reveal_list, name="reveals"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
