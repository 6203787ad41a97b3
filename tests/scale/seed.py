"""The scale run's accounts: commenters (half of them trusted, so their comments publish
at once; the others wait for the moderator), who get mail when their comment is
published or answered, and one moderator. Prints them as JSON for the load generator.

`python -m tests.scale.seed COMMENTERS PASSWORD` against the run's database (posts come
from import_archive first)."""

from __future__ import annotations

import json
import sys

import django


def seed(commenters: int, password: str) -> dict:
    from django.conf import settings

    from forum.models import Post
    from tests.factories import comment, moderator, verified_user

    posts = list(Post.objects.published().order_by("-date")[:30])
    accounts = []
    for n in range(commenters):
        user = verified_user(
            username=f"scale-commenter-{n}",
            email=f"commenter{n}@scale.example.org",
            display_name=f"Commenter {n}",
            notify_replies=True,
        )
        user.set_password(password)
        user.save()
        if n % 2 == 0:  # trusted: enough approved comments to publish directly
            for i in range(settings.FORUM_AUTO_APPROVE_AFTER):
                comment(posts[i % len(posts)], body=f"An earlier comment {i}.", author=user)
        accounts.append({"email": user.email, "password": password})
    mod = moderator(username="scale-moderator", email="moderator@scale.example.org")
    mod.set_password(password)
    mod.save()
    return {
        "commenters": accounts,
        "moderator": {"username": mod.username, "password": password},
        "posts": [{"id": p.pk, "url": p.get_absolute_url()} for p in posts],
    }


if __name__ == "__main__":
    django.setup()
    json.dump(seed(int(sys.argv[1]), sys.argv[2]), sys.stdout)
