"""The forum's reading and posting URLs. Reading pages keep Blogger's paths so the blog's old
links work."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import activity, feeds, posting, views
from .sitemaps import sitemaps

app_name = "forum"

urlpatterns = [
    path("", views.home, name="home"),
    path("archive/", views.archive_index, name="archive"),
    path("comments/", activity.recent_comments, name="recent_comments"),
    path("comments/feed.atom", activity.LatestCommentsFeed(), name="feed_recent_comments"),
    path("active/", activity.active, name="active_threads"),
    path("active/feed.atom", activity.ActiveThreadsFeed(), name="feed_active_threads"),
    path("<int:year>/", views.year_archive, name="year_archive"),
    path("<int:year>/<str:month>/", views.month_archive, name="month_archive"),
    path("<int:year>/<str:month>/<slug:slug>.html", views.post_detail, name="post_detail"),
    path("feeds/posts.atom", feeds.PostsFeed(), name="feed_posts"),
    path("feeds/posts/default", feeds.PostsFeed(), name="feed_posts_blogger"),
    path("feeds/comments.atom", feeds.CommentsFeed(), name="feed_comments"),
    path("feeds/comments/default", feeds.CommentsFeed(), name="feed_comments_blogger"),
    path(
        "feeds/<int:year>/<str:month>/<slug:slug>/comments.atom",
        feeds.PostCommentsFeed(),
        name="feed_post_comments",
    ),
    # An index over sections of 5,000 URLs each: the blog has more posts than one file holds.
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps, "sitemap_url_name": "forum:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps},
        name="sitemap_section",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("posts/<int:post_id>/comment/", posting.comment_create, name="comment_create"),
    path("comments/<int:pk>/remove/", posting.comment_remove, name="comment_remove"),
]
