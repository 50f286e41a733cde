"""`jifang up`: serve the web UI and API (gunicorn) on JIFANG_BIND, 127.0.0.1:8000 by default.

Further long-running parts join the process list here: the DC-09 alarm receiver (JIFANG_ALARM_BIND,
127.0.0.1:7701 by default; `--no-alarm-receiver` leaves it out) and the GB/T 28181 video gateway
(JIFANG_SIP_BIND, 127.0.0.1:5060 by default; `--no-video-gateway` leaves it out), the background
worker (`jifang worker`: rechecks, imports, scheduled runs; `--no-worker`) and the scheduler (`jifang
scheduler`: the platform's calendar, docs/operations.md; `--no-scheduler`). Every node may run all of
them: each scheduled tick is claimed once in the database and each task runs once."""
import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Jifang (web UI and API) on 127.0.0.1:8000 / 启动 Jifang 服务"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.JIFANG_BIND)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("JIFANG_WEB_WORKERS", "2")))
        parser.add_argument("--no-alarm-receiver", action="store_true", help="do not start the alarm receiver")
        parser.add_argument("--no-video-gateway", action="store_true", help="do not start the video gateway")
        parser.add_argument("--no-worker", action="store_true", help="do not start the background worker")
        parser.add_argument("--no-scheduler", action="store_true", help="do not start the scheduler")

    def processes(self, options) -> list[list[str]]:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        jifang = str(Path(sys.executable).with_name("jifang"))
        processes = [
            [gunicorn, "jifang.wsgi:application", "--bind", options["bind"], "--workers", str(options["workers"]),
             "--threads", "4", "--access-logfile", "-", "--graceful-timeout", "10"],
        ]
        if not options.get("no_alarm_receiver"):
            processes.append([jifang, "alarm-receiver", "--bind", settings.JIFANG_ALARM_BIND])
        if not options.get("no_video_gateway"):
            # the GB/T 28181 video gateway on JIFANG_SIP_BIND (docs/video-networking.md)
            processes.append([jifang, "gb28181"])
        if not options.get("no_worker"):
            processes.append([jifang, "worker"])
        if not options.get("no_scheduler"):
            processes.append([jifang, "scheduler"])
        return processes

    def handle(self, *args, **options):
        children = [subprocess.Popen(cmd) for cmd in self.processes(options)]
        self.stdout.write(self.style.SUCCESS(f"Jifang 技防 serving on http://{options['bind']}/  (Ctrl-C to stop)"))

        def stop(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        try:
            for child in children:
                child.wait()
        except KeyboardInterrupt:
            stop(None, None)
            for child in children:
                child.wait(timeout=15)
