"""The project package as an app: it owns no models, only the wiring of its log ids."""

from django.apps import AppConfig


class ProjectConfig(AppConfig):
    name = "config"
    verbose_name = "Project"

    def ready(self) -> None:
        from django.core.signals import request_finished
        from django_tasks.signals import (
            log_task_started,
            task_enqueued,
            task_finished,
            task_started,
        )

        from .logs import unbind
        from .tasks import bind_task_request, remember_request

        request_finished.connect(unbind, dispatch_uid="config.unbind_request")
        task_enqueued.connect(remember_request, dispatch_uid="config.remember_request")
        # django-tasks' own "Task ... state=RUNNING" line must come after the id is bound.
        task_started.disconnect(log_task_started)
        task_started.connect(bind_task_request, dispatch_uid="config.bind_task_request")
        task_started.connect(log_task_started)
        task_finished.connect(unbind, dispatch_uid="config.unbind_task")
