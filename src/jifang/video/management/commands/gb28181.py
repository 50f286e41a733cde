"""`jifang gb28181`: the GB/T 28181 video networking gateway (SIP over UDP and TCP)."""
import asyncio
import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from jifang.core.loops import CHOICES, loop_factory
from jifang.video.gateway import Config, serve


class Command(BaseCommand):
    help = "Run the GB/T 28181 video gateway on JIFANG_SIP_BIND / 启动国标视频联网网关"
    requires_system_checks = []        # `jifang check` covers them; a gateway (one per core) starts faster

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.JIFANG_SIP_BIND, help="host:port (UDP and TCP)")
        parser.add_argument("--keepalive", type=float, default=settings.JIFANG_SIP_KEEPALIVE_SECONDS,
                            help="expected keepalive interval in seconds")
        parser.add_argument("--missed", type=int, default=settings.JIFANG_SIP_KEEPALIVE_MISSED,
                            help="missed keepalives before a device is offline")
        parser.add_argument("--reuse-port", action="store_true", help="let several gateway processes share the "
                            "port (SO_REUSEPORT: run one per core on one PostgreSQL)")
        parser.add_argument("--sweep", action="store_true", default=settings.JIFANG_SIP_SWEEP,
                            help="mark silent devices offline in this process (when no `jifang scheduler` runs)")
        parser.add_argument("--loop", choices=CHOICES, default=settings.JIFANG_SIP_LOOP,
                            help="event loop: uvloop when installed (auto), or asyncio's own")

    def handle(self, *args, **options):
        config = Config.from_settings(options["bind"], keepalive=options["keepalive"], missed=options["missed"],
                                      reuse_port=options["reuse_port"], sweep=options["sweep"])

        async def main():
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)

            def ready(gateway):
                self.stdout.write(self.style.SUCCESS(
                    f"GB/T 28181 gateway {config.platform_id} (realm {config.realm}) on "
                    f"udp+tcp {config.host}:{gateway.config.port}, {type(loop).__module__.split('.')[0]} loop"
                    + (", sweeping offline devices itself" if config.sweep else "")))
                self.stdout.flush()

            await serve(config, ready=ready, stop=stop)

        asyncio.run(main(), loop_factory=loop_factory(options["loop"]))
