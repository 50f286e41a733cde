"""`jifang scheduler`: queue each periodic job's tick once, however many nodes run this (started by
`jifang up`; see jifang.jobs.schedule)."""
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from jifang.jobs.schedule import claim_due


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
            for name, tick in claim_due(timezone.now()):
                self.stdout.write(f"{timezone.localtime(tick):%Y-%m-%d %H:%M:%S} {name}")
            if options["once"]:
                return
            time.sleep(options["interval"])
