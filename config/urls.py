"""The site's root URLs: each app mounts its own."""

from django.contrib import admin
from django.urls import include, path

from accounts.views import privacy

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("accounts.urls")),
    path("privacy/", privacy, name="privacy"),
    path("moderation/", include("moderation.urls")),
    path("search/", include("search.urls")),
    path("watch/", include("watching.urls")),
    path("", include("forum.urls")),
]

handler500 = "config.views.server_error"
