"""Reading pages."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Comment, Post


def home(request: HttpRequest) -> HttpResponse:
    posts = Post.objects.published().with_comment_count()
    page = Paginator(posts, 10).get_page(request.GET.get("page"))
    return render(request, "forum/home.html", {"page": page})


def post_detail(request: HttpRequest, year: int, month: str, slug: str) -> HttpResponse:
    if not month.isdigit() or not 1 <= int(month) <= 12:
        raise Http404("No such month")
    post = get_object_or_404(Post.objects.published(), year=year, month=int(month), slug=slug)
    comments = Comment.objects.thread(post, request.user)
    return render(request, "forum/post_detail.html", {"post": post, "comments": comments})
