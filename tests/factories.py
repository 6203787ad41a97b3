"""Factories for the suite: `PostFactory()`, `UserFactory()`, `comment(post, ...)`."""

import datetime

import factory
from django.contrib.auth import get_user_model

from forum.models import ANONYMOUS, Comment, CommentStatus, Post
from forum.threads import add_comment


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"reader{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    display_name = factory.Sequence(lambda n: f"Reader {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    date = factory.Sequence(lambda n: datetime.date(2015, 2, 1) + datetime.timedelta(days=n))
    title = factory.Sequence(lambda n: f"Omnishambles Update {n}")
    body = "First paragraph of the post.\n\nSecond paragraph."


def verified_user(**fields):
    """A reader who signed up and clicked the link in allauth's verification email."""
    from allauth.account.models import EmailAddress

    user = UserFactory(**fields)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def moderator(**fields):
    """A staff user in the Moderators group. The group comes from a data migration, which
    live-server tests' flushes erase, so it is re-created here when missing."""
    from moderation.groups import moderators_group

    user = UserFactory(is_staff=True, **fields)
    user.groups.add(moderators_group())
    return user


def comment(
    post: Post,
    parent: Comment | None = None,
    body: str = "A comment.",
    status: str = CommentStatus.PUBLISHED,
    author=None,
    display_name: str = ANONYMOUS,
) -> Comment:
    """A comment inserted the way the site inserts them (under the post lock)."""
    return add_comment(
        post, parent, body=body, author=author, display_name=display_name, status=status
    )


def thread(post: Post, shape: dict[int, int]) -> list[Comment]:
    """Publish a thread: {top-level count: replies each}, e.g. thread(post, {3: 2})."""
    made = []
    for top_level, replies in shape.items():
        for i in range(top_level):
            parent = comment(post, body=f"Comment {i + 1}")
            made.append(parent)
            made += [comment(post, parent, body=f"Reply {j + 1}") for j in range(replies)]
    return made
