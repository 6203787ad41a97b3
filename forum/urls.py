"""The site's URLs. Reading pages keep Blogger's paths so the blog's old links work."""

from django.contrib import admin
from django.urls import include, path

from . import views

forum_patterns = [
    path("", views.home, name="home"),
    path("<int:year>/<str:month>/<slug:slug>.html", views.post_detail, name="post_detail"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include((forum_patterns, "forum"))),
]
