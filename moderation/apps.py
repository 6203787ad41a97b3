from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        # Connects the mail receivers to forum.threads' after-commit signals.
        from . import notifications  # noqa: F401
