"""A moderator sees a waiting comment where it will appear: from the queue to the thread,
with the buttons to decide on it beside it (plain forms, no JavaScript)."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from forum.models import Comment, CommentStatus, RemovedBy
from forum.threads import set_status
from moderation.models import Flag, LogAction, LogEntry

from .bulk import bulk_thread
from .factories import PostFactory, UserFactory, comment, moderator
from .test_pages import html

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:forum_comment_changelist")
PENDING = CommentStatus.PENDING


def decide_url(c: Comment) -> str:
    return reverse("moderation:decide", args=[c.pk])


def test_a_moderator_opens_a_queue_row_and_lands_on_the_pending_comment_with_its_buttons(client):
    post = PostFactory(title="Caseloads")
    top = comment(post, body="The thread around it")
    waiting = comment(post, top, body="Waiting for you", status=PENDING, author=UserFactory())
    client.force_login(moderator())

    queue = html(client.get(QUEUE))
    link = re.search(r'<a class="in-context" href="([^"]+)"', queue).group(1)
    assert link == f"{post.get_absolute_url()}#pending-{waiting.pk}"

    page = html(client.get(link.split("#")[0]))
    article = page[page.index(f'id="pending-{waiting.pk}"') :]
    article = article[: article.index("</article>")]
    assert "Waiting for you" in article and "Awaiting moderation" in article
    assert f'action="{decide_url(waiting)}"' in article
    for label in ("Publish", "Reject", "Spam", "Remove"):
        assert f">{label}</button>" in article
    assert page.index("The thread around it") < page.index("Waiting for you")

    done = client.post(decide_url(waiting), {"action": "publish"}, follow=True)
    published = Comment.objects.get(pk=waiting.pk)
    assert published.status == CommentStatus.PUBLISHED
    assert done.redirect_chain[-1][0] == published.get_absolute_url()
    assert any("Published" in str(m) for m in done.context["messages"])


def test_hidden_comments_show_in_place_to_moderators_only(client):
    post = PostFactory()
    rejected = comment(post, body="Rejected words", status=PENDING)
    set_status(rejected, CommentStatus.REJECTED, RemovedBy.MODERATOR)
    by_author = comment(post, body="Taken back")
    set_status(by_author, CommentStatus.REMOVED, RemovedBy.AUTHOR)

    client.force_login(UserFactory())
    assert "Rejected words" not in html(client.get(post.get_absolute_url()))

    client.force_login(moderator())
    page = html(client.get(post.get_absolute_url()))
    assert "Rejected words" in page and "Taken back" in page
    assert "Removed by the author" in page
    assert page.count(">Restore</button>") == 1  # the author's word stands


def test_published_comments_get_buttons_only_when_readers_flagged_them(client):
    post = PostFactory()
    quiet = comment(post, body="Nobody minds this one")
    flagged = comment(post, body="Someone minds this one")
    Flag.objects.create(comment=flagged, user=UserFactory(), reason="abusive")
    client.force_login(moderator())
    page = html(client.get(post.get_absolute_url()))
    assert f'action="{decide_url(flagged)}"' in page and "Flagged by readers" in page
    assert f'action="{decide_url(quiet)}"' not in page
    assert ">Keep (dismiss the flags)</button>" in page
    kept = client.post(decide_url(flagged), {"action": "publish"}, follow=True)
    assert [str(m) for m in kept.context["messages"]][0].startswith("Flags dismissed")
    assert not Flag.objects.filter(resolved=False).exists()
    client.post(decide_url(flagged), {"action": "remove", "reason": "abusive after all"})
    assert Comment.objects.get(pk=flagged.pk).status == CommentStatus.REMOVED


def test_only_moderators_may_decide_and_a_reason_is_logged(client):
    waiting = comment(PostFactory(), status=PENDING, author=UserFactory())
    client.force_login(UserFactory())
    assert client.post(decide_url(waiting), {"action": "publish"}).status_code == 403
    mod = moderator()
    client.force_login(mod)
    client.post(decide_url(waiting), {"action": "reject", "reason": "off-topic here"})
    entry = LogEntry.objects.get(comment=waiting)
    assert (entry.action, entry.moderator, entry.reason) == (
        LogAction.REJECT,
        mod,
        "off-topic here",
    )


def test_a_moderators_post_page_with_waiting_comments_runs_a_constant_number_of_queries(
    client, django_assert_max_num_queries
):
    post = PostFactory()
    bulk_thread(post, 100, 2)
    for n in range(20):
        comment(post, body=f"waiting {n}", status=PENDING, author=UserFactory())
    client.force_login(moderator())
    # a logged-in reader's 9, the reasons list, the post's flagged comments and the
    # anonymous authors' histories (moderation.identity.history_counts)
    with django_assert_max_num_queries(12):
        page = html(client.get(post.get_absolute_url()))
    assert page.count(">Publish</button>") == 20


def test_the_comment_pages_post_and_author_links_open_the_queue_and_view_on_site_the_thread(
    client,
):
    author = UserFactory()
    waiting = comment(PostFactory(), status=PENDING, author=author)
    client.force_login(moderator())
    page = html(client.get(reverse("admin:forum_comment_change", args=[waiting.pk])))
    assert f'href="{QUEUE}?post={waiting.post_id}&amp;status=all"' in page
    assert f'href="{QUEUE}?author={author.handle}&amp;status=all"' in page
    assert reverse("moderation:person", args=[author.handle]) in page
    assert f'href="{waiting.get_absolute_url()}"' in page
    kind = ContentType.objects.get_for_model(Comment).pk
    site = client.get(reverse("admin:view_on_site", args=[kind, waiting.pk]))
    assert site.url.endswith(waiting.get_absolute_url())  # where moderators now see it
