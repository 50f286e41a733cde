"""`jifang alarm-receiver`: the DC-09 receiver on JIFANG_ALARM_BIND (TCP and UDP), until SIGTERM/Ctrl-C."""
import asyncio
import logging
import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from jifang.alarms.receiver import Receiver, limits_from_settings, parse_bind
from jifang.core.loops import CHOICES, loop_factory


class Command(BaseCommand):
    help = "Receive SIA DC-09 alarms on JIFANG_ALARM_BIND (127.0.0.1:7701) / 启动报警接收机"
    # Restarting after a crash should take as little time as possible: panels are waiting. The
    # checks run with every other command (`jifang up` runs `migrate` first in `make run`).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.JIFANG_ALARM_BIND, help="host:port for TCP and UDP")
        parser.add_argument("--name", default="", help="this receiver's name in the events (default host:pid)")
        parser.add_argument("--reuse-port", action="store_true", help="let several receiver processes share the "
                            "port (SO_REUSEPORT: run one per core on one PostgreSQL)")
        parser.add_argument("--loop", choices=CHOICES, default=settings.JIFANG_ALARM_LOOP,
                            help="event loop: uvloop when installed (auto), or asyncio's own")

    def handle(self, *args, **options):
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        host, port = parse_bind(options["bind"])
        receiver = Receiver(host=host, port=port, name=options["name"], limits=limits_from_settings(),
                            reuse_port=options["reuse_port"])
        with asyncio.Runner(loop_factory=loop_factory(options["loop"])) as runner:
            runner.run(self.serve(receiver))

    async def serve(self, receiver: Receiver) -> None:
        await receiver.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        # The line tests and `jifang up` wait for: the port actually bound (useful with port 0).
        self.stdout.write(f"alarm receiver listening on {receiver.host}:{receiver.port} (tcp+udp)")
        self.stdout.flush()
        await stop.wait()
        await receiver.stop()
