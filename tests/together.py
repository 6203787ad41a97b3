"""Many writers at the same moment, for the PostgreSQL concurrency tests."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection
from django.test import Client


def run_together(jobs: list[Callable[[], object]]) -> list[BaseException]:
    """Run each job in a thread of its own (so on a database connection of its own), all
    released at once by a barrier; the errors they raised, reported rather than lost."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def worker(job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            job()
        except BaseException as error:  # reported by the test, not swallowed
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def logged_in(users: list) -> list[Client]:
    """One logged-in browser per user, each to be used by one thread only."""
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients
