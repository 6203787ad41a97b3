from django.apps import AppConfig


class ArchiveImportConfig(AppConfig):
    name = "archive_import"
    verbose_name = "Archive import"
