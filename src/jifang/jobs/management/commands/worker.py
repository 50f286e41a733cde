"""`jifang worker`: run queued background tasks until stopped (started by `jifang up`)."""
import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from jifang.jobs import worker

log = logging.getLogger("jifang.jobs")


class Command(BaseCommand):
    help = "Run queued background tasks / 运行后台任务"

    def add_arguments(self, parser):
        parser.add_argument("--poll", type=float, default=0.2, help="seconds between looks at an empty queue")
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
            time.sleep(options["poll"])
