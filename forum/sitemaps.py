"""sitemap.xml: every published post at its Blogger path."""

from __future__ import annotations

import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from .models import Post


class PostSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self) -> QuerySet[Post]:
        return (
            Post.objects.published()
            .order_by("-date", "-id")
            .only("slug", "year", "month", "updated_at")
        )

    def lastmod(self, item: Post) -> datetime.datetime:
        return item.updated_at


sitemaps = {"posts": PostSitemap}
