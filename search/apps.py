from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from .indexing import install_triggers_after_migrate

        # SQLite rebuilds a table (dropping its triggers) whenever a migration alters it,
        # so the triggers are re-created, idempotently, after every `migrate`.
        post_migrate.connect(install_triggers_after_migrate, sender=self)
