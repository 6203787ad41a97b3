"""The request behind a task: a task enqueued while a request is served carries that
request's id, and the worker binds it while the task runs, so the request's log lines and
the task's share one id (a retried mail keeps it too). A task nobody's request enqueued
runs under its own id, `task-<uuid>`.

The id rides in the stored task's `args_kwargs` beside the arguments (django-tasks-db
reads only its "args" and "kwargs" keys): a column of our own would need a model
beside django-tasks-db's for one string.
"""

from __future__ import annotations

import logging

from django_tasks import TaskResult
from django_tasks_db.models import DBTaskResult

from .logs import NO_REQUEST, bind, current_request_id

logger = logging.getLogger(__name__)
REQUEST_ID_KEY = "request_id"


def remember_request(sender: type, task_result: TaskResult, **kwargs) -> None:
    """task_enqueued: store the current request's id with the task, and say so."""
    request_id = current_request_id()
    if request_id != NO_REQUEST and isinstance(
        getattr(task_result, "db_result", None), DBTaskResult
    ):
        stored = {**task_result.db_result.args_kwargs, REQUEST_ID_KEY: request_id}
        DBTaskResult.objects.filter(pk=task_result.id).update(args_kwargs=stored)
    logger.info("Task %s enqueued: %s", task_result.id, task_result.task.module_path)


def bind_task_request(sender: type, task_result: TaskResult, **kwargs) -> None:
    """task_started: the worker's lines for this task carry its request's id."""
    db_result = getattr(task_result, "db_result", None)
    stored = db_result.args_kwargs.get(REQUEST_ID_KEY) if db_result is not None else None
    bind(stored or f"task-{task_result.id}")
