"""`jifang worker`: run queued background tasks until stopped (started by `jifang up`)."""
import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from jifang.jobs import worker
from jifang.jobs.backend import CHANNEL

log = logging.getLogger("jifang.jobs")


class Command(BaseCommand):
    help = "Run queued background tasks / 运行后台任务"

    def add_arguments(self, parser):
        parser.add_argument("--poll", type=float, default=0.2,
                            help="seconds between looks at an empty queue (SQLite; PostgreSQL wakes on NOTIFY)")
        parser.add_argument("--fallback", type=float, default=5.0,
                            help="PostgreSQL: seconds between looks when no notice comes (a task deferred to later)")
        parser.add_argument("--queue", action="append", dest="queues", help="only these queues (repeatable)")
        parser.add_argument("--once", action="store_true", help="run what is due now, then stop")

    def handle(self, *args, **options):
        worker_id = worker.new_worker_id()
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        if options["once"]:
            worker.requeue_abandoned(timezone.now())
            self.stdout.write(f"{worker.run_pending(worker_id=worker_id, queues=options['queues'])}")
            return
        last_reap = 0.0
        idle = waiter(options["poll"], options["fallback"], lambda: bool(stopping))
        while not stopping:
            close_old_connections()
            try:
                if time.monotonic() - last_reap > 60:
                    worker.requeue_abandoned(timezone.now())
                    last_reap = time.monotonic()
                row = worker.claim(worker_id, timezone.now(), options["queues"])
                if row is not None:
                    worker.execute(row, worker_id)
                    continue
            except DatabaseError:  # the database restarted or is unreachable: wait, reconnect
                log.exception("worker: database error")
                time.sleep(5)
            idle()


def waiter(poll: float, fallback: float, stopping):
    """How an idle worker waits for the next task. PostgreSQL: on its own connection, LISTENing
    for the notices `enqueue` sends, so a task queued now starts now and an idle worker costs no
    query for `fallback` seconds (deferred tasks and retries are found by the look after that).
    SQLite: a look every `poll` seconds (cheap: one indexed read of a local file)."""
    if connection.vendor != "postgresql":
        return lambda: time.sleep(poll)
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    listener = {"conn": None}

    def listen() -> None:
        listener["conn"] = psycopg.connect(**params, autocommit=True)
        listener["conn"].execute(f"LISTEN {CHANNEL}")

    def wait() -> None:
        try:
            if listener["conn"] is None or listener["conn"].closed:
                listen()
            end = time.monotonic() + fallback
            # in slices of a second at most, so that a stop (SIGTERM) is noticed promptly
            while not stopping() and (left := end - time.monotonic()) > 0:
                if next(listener["conn"].notifies(timeout=min(left, 1.0), stop_after=1), None) is not None:
                    return
        except psycopg.Error:  # the database restarted: poll until the listener reconnects
            log.warning("worker: listener lost, polling")
            listener["conn"] = None
            time.sleep(poll)

    try:
        listen()  # before the first look at the queue: a task queued after it is noticed
    except psycopg.Error:
        listener["conn"] = None
    return wait
