"""`jifang video simulate`: play a GB/T 28181 recorder against the gateway, so that a newcomer can
watch a device come online (docs/video-networking.md)."""
import asyncio

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jifang.video.simulator import DeviceSpec, simulate


class Command(BaseCommand):
    help = "Video networking tools: `simulate` plays a GB/T 28181 device / 模拟国标设备"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="tool", required=True)
        sim = sub.add_parser("simulate", help="register, keep alive and answer queries as a GB/T 28181 NVR")
        sim.add_argument("gb28181_id", help="the device's 20-digit ID (a registry device's GB/T 28181 ID)")
        sim.add_argument("--password", default=settings.JIFANG_SIP_DEFAULT_PASSWORD)
        sim.add_argument("--gateway", default=settings.JIFANG_SIP_BIND, help="host:port of the gateway")
        sim.add_argument("--channel", action="append", default=[], metavar="ID[=NAME]",
                         help="a camera in the catalogue (repeatable)")
        sim.add_argument("--retention-days", type=int, default=90, help="days of recordings the device keeps")
        sim.add_argument("--keepalive", type=float, default=settings.JIFANG_SIP_KEEPALIVE_SECONDS)
        sim.add_argument("--duration", type=float, default=None, help="seconds to run (default: until Ctrl-C)")

    def handle(self, *args, **options):
        gb_id = options["gb28181_id"]
        if len(gb_id) != 20 or not gb_id.isdigit():
            raise CommandError("国标编码应为20位数字 / a GB/T 28181 ID has 20 digits")
        channels = []
        for value in options["channel"]:
            channel_id, _, name = value.partition("=")
            channels.append((channel_id, name or f"通道{len(channels) + 1}"))
        host, _, port = options["gateway"].rpartition(":")
        spec = DeviceSpec(gb_id, options["password"], channels, options["retention_days"],
                          keepalive=options["keepalive"])
        try:
            asyncio.run(simulate(spec, (host, int(port)), realm=settings.JIFANG_SIP_REALM,
                                 platform_id=settings.JIFANG_SIP_ID, duration=options["duration"],
                                 log=lambda line: self.stdout.write(f"{gb_id}: {line}")))
        except KeyboardInterrupt:
            pass
