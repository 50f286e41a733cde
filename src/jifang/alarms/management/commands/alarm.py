"""`jifang alarm send`: fire a test alarm at the receiver, as a panel would, and print the reply.

    jifang alarm send --account 1234 --event burglary --zone 3
    jifang alarm send --account 1234 --event link-test --udp
    jifang alarm send --account 5678 --key "Kunming alarm centre AES-256 key" --event fire
"""
import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jifang.alarms import simulator
from jifang.alarms.receiver import parse_bind
from jifang.alarms.services import parse_key

# event name -> (message type, data after "#acct|" with {zone} and {partition})
EVENTS = {
    "burglary": ("ADM-CID", "1130 {partition} {zone}"),
    "burglary-restore": ("ADM-CID", "3130 {partition} {zone}"),
    "fire": ("ADM-CID", "1110 {partition} {zone}"),
    "panic": ("ADM-CID", "1120 {partition} {zone}"),
    "duress": ("ADM-CID", "1121 {partition} {zone}"),
    "tamper": ("ADM-CID", "1137 {partition} {zone}"),
    "ac-loss": ("ADM-CID", "1301 {partition} 000"),
    "test": ("ADM-CID", "1602 00 000"),
    "sia-burglary": ("SIA-DCS", "Nri{partition}/BA{zone}"),
    "link-test": ("NULL", ""),
}


class Command(BaseCommand):
    help = "Send a test alarm to the DC-09 receiver / 向报警接收机发送测试报警"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="send one message as a panel would")
        send.add_argument("--account", required=True, help="the panel's DC-09 account")
        send.add_argument("--event", choices=sorted(EVENTS), default="burglary")
        send.add_argument("--zone", type=int, default=1)
        send.add_argument("--partition", type=int, default=1)
        send.add_argument("--key", default="", help="the account's AES key, if it has one")
        send.add_argument("--to", default=settings.JIFANG_ALARM_BIND, help="receiver host:port")
        send.add_argument("--udp", action="store_true", help="UDP instead of TCP")
        send.add_argument("--seq", type=int, default=0, help="sequence number (default: from the clock)")

    def handle(self, *args, **options):
        token, template = EVENTS[options["event"]]
        account = options["account"].upper()
        data = "" if token == "NULL" else f"#{account}|" + template.format(
            zone=f"{options['zone']:03d}", partition=f"{options['partition']:02d}")
        key = parse_key(options["key"]) if options["key"] else None
        seq = options["seq"] or int(dt.datetime.now().timestamp()) % 9999 + 1
        panel = simulator.SimPanel(account, key, seq=seq - 1)
        host, port = parse_bind(options["to"])
        try:
            link = (simulator.UdpLink if options["udp"] else simulator.TcpLink)(host, port, timeout=10)
            kind, seconds = simulator.send(link, panel, token, data)
            link.close()
        except OSError as exc:
            raise CommandError(f"没有收到接收机的应答 / no answer from the receiver at {host}:{port}: {exc}") from exc
        self.stdout.write(f"sent {token} seq {seq:04d} account {account} [{data}] -> {kind or 'bad reply'} "
                          f"in {seconds * 1000:.1f} ms")
        if kind != "ACK":
            raise CommandError(f"接收机未确认 / the receiver answered {kind or 'something unreadable'}")
