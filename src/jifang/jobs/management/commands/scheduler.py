"""`jifang scheduler`: queue each periodic job's tick once, however many nodes run this (started by
`jifang up`; see jifang.jobs.schedule)."""
import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from jifang.jobs.schedule import claim_due

log = logging.getLogger("jifang.jobs")


class Command(BaseCommand):
    help = "Queue periodic jobs when they are due / 按时排入定期任务"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks at the calendar")
        parser.add_argument("--once", action="store_true", help="queue what is due now, then stop")

    def handle(self, *args, **options):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while not stopping:
            close_old_connections()
            try:
                for name, tick in claim_due(timezone.now()):
                    self.stdout.write(f"{timezone.localtime(tick):%Y-%m-%d %H:%M:%S} {name}")
            except DatabaseError:  # the database restarted or is unreachable: try again next time
                log.exception("scheduler: database error")
            if options["once"]:
                return
            time.sleep(options["interval"])
