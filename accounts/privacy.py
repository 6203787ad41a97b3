"""What the site keeps about people: the declaration the /privacy/ page is printed from.

Every model of every installed app is either in KEPT, with each of its columns described
or named as bookkeeping, or in HOLDS_NOTHING_PERSONAL; tests/test_privacy.py checks
both against the real models, so a new column or table cannot reach the database
without this page saying what it is. No column anywhere holds an IP address or a
browser's user agent: the rate limits count those in the cache, for minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

YOU = "you"
MODERATORS_HANDLE = "moderators, who know you by a pseudonym (your handle)"
ADMINS = "the site's administrators"


@dataclass(frozen=True)
class Kept:
    model: str  # app_label.ModelName
    title: str
    columns: dict[str, str]  # column -> what it holds, in the reader's words
    how_long: str
    who: tuple[str, ...]
    bookkeeping: tuple[str, ...] = field(default=())  # ids, flags and counters: no one's data


def _session_days() -> int:
    return settings.SESSION_COOKIE_AGE // 86400


def kept() -> list[Kept]:
    """The declaration (a function: the session length is read from the settings)."""
    return [
        Kept(
            "accounts.User",
            "Your account",
            {
                "email": "your email address",
                "username": "a login name made from your address (never shown)",
                "password": "a salted hash of your password (never the password)",
                "handle": "a random pseudonym such as member-7kq2m9",
                "display_name": "the display name you chose, if any",
                "name_skeleton": "the display name's look-alike form, to refuse copies",
                "name_skeleton_folded": "the same in lower case",
                "comment_anonymously": "your 'Post as Anonymous' default",
                "notify_replies": "whether you want mail about replies",
                "is_suspended": "whether a moderator suspended the account",
                "suspended_until": "when a timed suspension ends by itself",
                "date_joined": "when you signed up",
                "last_login": "when you last logged in",
                "first_name": "unused, always empty",
                "last_name": "unused, always empty",
            },
            "until you delete your account",
            (YOU, ADMINS),
            ("id", "is_superuser", "is_staff", "is_active"),
        ),
        Kept(
            "account.EmailAddress",
            "Your email address, as verified",
            {"email": "the address", "verified": "whether you confirmed it", "primary": ""},
            "until you delete your account or change the address",
            (YOU, ADMINS),
            ("id", "user_id"),
        ),
        Kept(
            "account.EmailConfirmation",
            "Address confirmations",
            {"key": "the code in a confirmation link", "created": "", "sent": ""},
            "until you delete your account",
            (ADMINS,),
            ("id", "email_address_id"),
        ),
        Kept(
            "forum.Comment",
            "Your comments",
            {
                "body": "what you wrote, including comments still awaiting moderation",
                "body_html": "the same, as shown on the page",
                "display_name": "'Anonymous' or your display name at the time of posting",
                "author_id": "which account wrote it",
                "status": "published, awaiting moderation, rejected, spam or removed",
                "removed_by": "who removed it, if anyone",
                "created_at": "",
                "published_at": "",
                "updated_at": "",
            },
            "as long as the forum runs; when you delete your account you choose whether "
            "published comments stay as 'Anonymous' with no link to you or become "
            "'removed by the author' placeholders; everything else of yours is deleted",
            (
                "everyone, for published comments (as 'Anonymous' or your display name)",
                MODERATORS_HANDLE,
                YOU,
            ),
            (
                "id",
                "post_id",
                "parent_id",
                "number",
                "path",
                "is_imported",
                "source_file",
                "source_line",
                "lft",
                "rght",
                "tree_id",
                "level",
            ),
        ),
        Kept(
            "search.SearchDocument",
            "The search index",
            {"body": "the text of published comments (no names)", "title": "the post's title"},
            "while the comment is published",
            ("everyone",),
            (
                "id",
                "kind",
                "post_id",
                "comment_id",
                "date",
                "year",
                "month",
                "comment_count",
                "vector",
            ),
        ),
        Kept(
            "moderation.Flag",
            "Flags you put on comments",
            {"user_id": "who flagged", "reason": "the reason you chose", "created_at": ""},
            "until you delete your account",
            (YOU, MODERATORS_HANDLE),
            ("id", "comment_id", "resolved"),
        ),
        Kept(
            "moderation.LogEntry",
            "Moderation decisions",
            {
                "comment_id": "the comment decided on",
                "subject_id": "the account a decision was about (a suspension, a reveal)",
                "moderator_id": "the moderator who decided",
                "reason": "the moderator's reason",
                "action": "",
                "from_status": "",
                "to_status": "",
                "created_at": "",
            },
            "as long as the comment; decisions about your account until you delete it",
            (MODERATORS_HANDLE, "you, in your data export"),
            ("id", "post_id"),
        ),
        Kept(
            "moderation.Hold",
            "Why a comment of yours waited for a moderator",
            {"reasons": "the rules' reasons, such as a new account or a link", "held_at": ""},
            "as long as the comment",
            (YOU, MODERATORS_HANDLE),
            ("id", "comment_id"),
        ),
        Kept(
            "moderation.WatchedUser",
            "Accounts whose every comment is moderated",
            {"user_id": "the account", "created_by_id": "the moderator", "created_at": ""},
            "until a moderator lifts it or you delete your account",
            (MODERATORS_HANDLE,),
            ("id",),
        ),
        Kept(
            "watching.Watch",
            "Threads you watch",
            {
                "user_id": "",
                "post_id": "the post",
                "created_at": "",
                "mailed_up_to": "the newest comment your last mail listed",
                "last_mailed_at": "",
            },
            "until you stop watching or delete your account",
            (YOU,),
            ("id", "scheduled_for"),
        ),
        Kept(
            "moderation.Unsubscribe",
            "Mail you turned off",
            {"user_id": "", "kind": "which kind of mail", "created_at": ""},
            "until you delete your account",
            (YOU,),
            ("id",),
        ),
        Kept(
            "outbox.Mail",
            "Mail waiting to be sent",
            {
                "to": "your address",
                "subject": "",
                "body": "the mail's text",
                "html": "",
                "last_error": "why sending failed, if it did",
                "created_at": "",
                "due_at": "",
            },
            "until the mail server accepts it (seconds); a mail that failed for good until an "
            "administrator discards it; deleted with your account",
            (ADMINS,),
            ("id", "from_email", "headers", "status", "attempts"),
        ),
        Kept(
            "django_tasks_database.DBTaskResult",
            "Background work",
            {"args_kwargs": "the number of a mail to send (not its address or text)"},
            "14 days (forum-prune-tasks.timer)",
            (ADMINS,),
            (
                "id",
                "status",
                "enqueued_at",
                "started_at",
                "finished_at",
                "priority",
                "task_path",
                "worker_ids",
                "queue_name",
                "backend_name",
                "run_after",
                "return_value",
                "exception_class_path",
                "traceback",
            ),
        ),
        Kept(
            "sessions.Session",
            "Your login",
            {
                "session_key": "the random code your browser's cookie carries",
                "session_data": "which account is logged in, and how and when it logged in",
                "expire_date": "",
            },
            f"until you log out, or {_session_days()} days after your last visit "
            "(removed daily by forum-clearsessions.timer); all of them when you delete "
            "your account",
            (ADMINS,),
        ),
        Kept(
            "admin.LogEntry",
            "Administrators' edits",
            {
                "user_id": "the administrator",
                "object_repr": "what was edited (an account shows as its handle)",
                "change_message": "",
                "action_time": "",
            },
            "as long as the forum runs (edits of your account are deleted with it)",
            (ADMINS,),
            ("id", "content_type_id", "object_id", "action_flag"),
        ),
    ]


# Models that hold nothing about a person: the blog's posts, settings, bookkeeping.
HOLDS_NOTHING_PERSONAL = frozenset(
    {
        "forum.Post",
        "moderation.ModerationRules",
        "moderation.CannedReason",
        "moderation.QueueDigest",
        "moderation.DigestedComment",
        "auth.Permission",
        "auth.Group",
        "contenttypes.ContentType",
    }
)
