"""The restore drill's two halves, run in a child process against a real database:
`seed()` fills it with everything a forum holds, `fingerprint()` describes all of it.

The fingerprint covers every table of every installed model (whatever models a branch
adds are in it without a change here), row by row, plus what the search page finds for a
few queries, so "the same fingerprint after the restore" means every user, comment of
every status, flag, log entry, mail, task and search result came back.

Run as `python -m tests.backup_drill seed|fingerprint|hold` with DJANGO_SETTINGS_MODULE set.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import sys

import django

SEARCHES = ["grayling", "napo", "omnishambles", '"community rehabilitation"']
RESULT = re.compile(r'<li class="search-result.*?</li>', re.S)


def seed() -> None:
    """Readers (verified and not), a moderator, a suspended user; posts with comments in
    every status, replies, flags that hid a comment, the moderation log, a watched user,
    an unsubscribe, the digest, queued mail and tasks, and a logged-in session."""
    from django.test import Client

    from forum.models import CommentStatus, RemovedBy
    from forum.threads import set_status
    from moderation import actions
    from moderation.models import LogAction, ModerationRules, Unsubscribe
    from moderation.notifications import send_queue_digest
    from tests.factories import PostFactory, UserFactory, comment, moderator, verified_user

    rules = ModerationRules.load()
    rules.hold_words = "ballot"
    rules.save()
    mod = moderator(email="moderator@example.org", display_name="The Moderator")
    readers = [verified_user(notify_replies=True) for _ in range(6)]
    UserFactory(email="unverified@example.org")
    suspended = verified_user()
    actions.suspend(suspended, mod, "Drill: a suspended account survives the restore")
    actions.watch(readers[5], mod)
    Unsubscribe.objects.create(user=readers[4], kind=Unsubscribe.Kind.PUBLISHED)

    first = PostFactory(title="Grayling's Omnishambles", date=datetime.date(2014, 5, 2))
    second = PostFactory(title="Napo Votes", date=datetime.date(2016, 3, 9))
    PostFactory(title="A Draft", is_published=False, date=datetime.date(2017, 1, 1))

    top = comment(first, body="Grayling sold the service off.", author=readers[0])
    comment(first, top, body="Napo warned us in 2013.", author=readers[1])
    comment(first, body="Community rehabilitation companies failed.", author=readers[2])
    for text, status in [
        ("Held for a moderator: napo ballot.", CommentStatus.PENDING),
        ("Rejected: off topic about grayling.", CommentStatus.PENDING),
        ("Spam: cheap watches.", CommentStatus.PENDING),
        ("Published by a moderator: omnishambles.", CommentStatus.PENDING),
    ]:
        comment(second, body=text, author=readers[3], status=status)
    pending = list(second.comments.filter(status=CommentStatus.PENDING).order_by("pk"))
    actions.moderate(pending[1], LogAction.REJECT, mod, "off topic")
    actions.moderate(pending[2], LogAction.SPAM, mod)
    actions.moderate(pending[3], LogAction.PUBLISH, mod)
    mine = comment(second, body="I take this back.", author=readers[4])
    set_status(mine, CommentStatus.REMOVED, RemovedBy.AUTHOR)
    rude = comment(second, body="Rude words about napo.", author=readers[5])
    actions.moderate(rude, LogAction.REMOVE, mod, "abuse")
    flagged = comment(first, body="Flagged by three readers.", author=readers[3])
    for reader in readers[:3]:
        actions.flag(flagged, reader, "abuse")
    send_queue_digest.call()
    Client().force_login(readers[0])


def _rows(model) -> list:
    fields = [field.attname for field in model._meta.concrete_fields]
    return list(model._base_manager.order_by("pk").values_list(*fields))


def _searches() -> dict[str, list[str]]:
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    found = {}
    for query in SEARCHES:
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200, (query, response.status_code)
        found[query] = RESULT.findall(response.content.decode())
    return found


def fingerprint() -> dict:
    """Every model's row count and a digest of its rows, and the search results."""
    from django.apps import apps
    from django.core.serializers.json import DjangoJSONEncoder

    tables = {}
    for model in apps.get_models(include_auto_created=True):
        rows = _rows(model)
        digest = hashlib.sha256(json.dumps(rows, cls=DjangoJSONEncoder).encode()).hexdigest()
        tables[model._meta.label] = {"rows": len(rows), "sha256": digest}
    from forum.models import Comment

    statuses = sorted(set(Comment.objects.comments().values_list("status", flat=True)))
    return {"tables": tables, "searches": _searches(), "comment_statuses": statuses}


def hold() -> None:
    """A process someone forgot to stop: it writes 30 comments, keeps its connection
    open while the restore runs (until a line arrives on stdin), then writes 5 more."""
    from forum.models import Post
    from tests.factories import comment

    post = Post.objects.order_by("pk").first()
    for n in range(30):
        comment(post, body=f"Written after the backup {n}.")
    print("wrote", flush=True)
    sys.stdin.readline()
    for n in range(5):
        comment(post, body=f"Written after the restore {n}.")


if __name__ == "__main__":
    django.setup()
    command = sys.argv[1]
    if command == "seed":
        seed()
    elif command == "hold":
        hold()
    else:
        json.dump(fingerprint(), sys.stdout, sort_keys=True)
