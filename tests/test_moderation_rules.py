"""Who publishes directly, whose comment waits, and what is refused (moderation.rules)."""

import datetime

import pytest
from django.utils import timezone

from forum.models import CommentStatus
from forum.permissions import CLOSED, SUSPENDED, comment_refusal
from forum.threads import set_status
from moderation.models import Mode, ModerationRules, WatchedUser
from moderation.rules import BLOCKED, decide, matching_words

from .factories import PostFactory, UserFactory, comment, moderator

pytestmark = pytest.mark.django_db

PUBLISHED, PENDING = CommentStatus.PUBLISHED, CommentStatus.PENDING


def set_rules(**fields) -> ModerationRules:
    rules = ModerationRules.load()
    for name, value in fields.items():
        setattr(rules, name, value)
    rules.save()
    return rules


def approved_comments(user, n: int) -> None:
    post = PostFactory()
    for _ in range(n):
        comment(post, author=user, status=PUBLISHED)


def test_a_new_account_waits_until_its_first_three_comments_are_approved():
    user, post = UserFactory(), PostFactory()
    decision = decide(user, post, "Hello")
    assert decision.status == PENDING and not decision.refused
    assert "new account" in decision.reasons[0]
    approved_comments(user, 2)
    assert decide(user, post, "Hello").status == PENDING
    approved_comments(user, 1)
    assert decide(user, post, "Hello").status == PUBLISHED


def test_a_user_once_marked_as_spammer_is_never_trusted():
    user = UserFactory()
    approved_comments(user, 3)
    spam = comment(PostFactory(), author=user, status=PENDING)
    set_status(spam, CommentStatus.SPAM)
    decision = decide(user, PostFactory(), "Hello")
    assert decision.status == PENDING
    assert decision.reasons == ("a comment of this account was marked as spam",)


def test_moderators_publish_directly():
    post = PostFactory()
    assert decide(moderator(), post, "http://a.example http://b.example").status == PUBLISHED
    assert decide(UserFactory(is_superuser=True), post, "Hi").status == PUBLISHED


def test_a_staff_account_outside_the_moderators_is_moderated_like_anyone():
    decision = decide(UserFactory(is_staff=True), PostFactory(), "Hi")
    assert decision.status == PENDING
    assert decision.reasons == ("new account (fewer than 3 approved comments)",)


def test_two_links_hold_even_a_trusted_user():
    user = UserFactory()
    approved_comments(user, 3)
    post = PostFactory()
    assert decide(user, post, "See https://a.example").status == PUBLISHED
    decision = decide(user, post, "See https://a.example and www.b.example")
    assert decision.status == PENDING
    assert decision.reasons == ("2 links",)


def test_hold_words_match_whole_words_in_any_case():
    user = UserFactory()
    approved_comments(user, 3)
    post = PostFactory()
    set_rules(hold_words="cialis\ncheap pills")
    assert decide(user, post, "Socialism is back on the agenda").status == PUBLISHED
    assert decide(user, post, "Buy CIALIS now").reasons == ("hold words: cialis",)
    assert decide(user, post, "cheap   Pills here").status == PENDING
    assert decide(user, post, "cheap pillsbury").status == PUBLISHED


def test_block_words_refuse_the_comment():
    user = UserFactory()
    set_rules(block_words="scumbag")
    decision = decide(user, PostFactory(), "What a Scumbag.")
    assert decision.refused == BLOCKED
    assert not decide(user, PostFactory(), "scumbags").refused


def test_closed_posts_and_suspended_users_are_refused():
    user = UserFactory()
    assert comment_refusal(user, PostFactory(comments_open=False)) == CLOSED
    assert comment_refusal(UserFactory(is_suspended=True), PostFactory()) == SUSPENDED
    assert comment_refusal(moderator(), PostFactory(comments_open=False)) == CLOSED


def test_mode_all_holds_everyone_but_moderators():
    user = UserFactory()
    approved_comments(user, 5)
    set_rules(mode=Mode.ALL)
    assert decide(user, PostFactory(), "Hi").reasons == ("every comment is moderated",)
    assert decide(moderator(), PostFactory(), "Hi").status == PUBLISHED


def test_mode_none_publishes_new_accounts_but_still_holds_links():
    set_rules(mode=Mode.NONE)
    user = UserFactory()
    assert decide(user, PostFactory(), "Hi").status == PUBLISHED
    assert decide(user, PostFactory(), "http://a.example http://b.example").status == PENDING


def test_first_n_is_editable():
    set_rules(first_n=1)
    user = UserFactory()
    approved_comments(user, 1)
    assert decide(user, PostFactory(), "Hi").status == PUBLISHED


def test_comments_on_old_posts_wait_when_the_rule_is_set():
    user = UserFactory()
    approved_comments(user, 3)
    today = timezone.localdate()
    old = PostFactory(date=today - datetime.timedelta(days=31))
    fresh = PostFactory(date=today - datetime.timedelta(days=5))
    assert decide(user, old, "Hi").status == PUBLISHED
    set_rules(old_post_days=30)
    assert decide(user, old, "Hi").reasons == ("post older than 30 days",)
    assert decide(user, fresh, "Hi").status == PUBLISHED


def test_a_watched_user_always_waits():
    user = UserFactory()
    approved_comments(user, 3)
    WatchedUser.objects.create(user=user)
    assert decide(user, PostFactory(), "Hi").reasons == (
        "all of this account's comments are moderated",
    )


def test_rules_edited_in_the_admin_take_effect_at_once_through_the_cache():
    user = UserFactory()
    approved_comments(user, 3)
    assert decide(user, PostFactory(), "Hi").status == PUBLISHED
    rules = ModerationRules.objects.get(pk=1)
    rules.mode = Mode.ALL
    rules.save()
    assert decide(user, PostFactory(), "Hi").status == PENDING


@pytest.mark.parametrize(
    "body, found",
    [
        ("socialism", []),
        ("Cialis.", ["cialis"]),
        ("(cialis)", ["cialis"]),
        ("cialisx", []),
    ],
)
def test_whole_word_matching(body, found):
    assert matching_words(body, ["cialis"]) == found
