from django.apps import AppConfig


class WatchingConfig(AppConfig):
    name = "watching"
    verbose_name = "Watched threads"

    def ready(self) -> None:
        # Connects the digest scheduling to forum.threads' after-commit signals.
        from . import digests  # noqa: F401
