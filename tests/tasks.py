"""The task worker, run in the test's own transaction: what `db_worker --batch` does."""

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction


def run_tasks(limit: int = 1000) -> int:
    """Run every task that is due, as the worker would, one claimed task at a time; how
    many ran. The worker's own loop also recycles database connections between tasks,
    which would close the test's transaction, so only its claim-and-run steps are used."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while ran < limit:
        with exclusive_transaction():
            result = DBTaskResult.objects.ready().get_locked()
            if result is None:
                return ran
            result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran


def delivered() -> list:
    """The mails the worker has delivered so far, after running it (Django's test outbox)."""
    from django.core import mail

    run_tasks()
    return mail.outbox
