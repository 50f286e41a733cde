"""`jifang audit ...`: check the audit log against the platform key's checkpoints.

    jifang audit verify [--checkpoints FILE]      walk the chain; hold it against the signed checkpoints
    jifang audit checkpoint                       sign the chain's head now (schedule it, e.g. hourly)
    jifang audit checkpoints export [-o FILE]     the signed checkpoints, for keeping outside the database
    jifang audit verify-export FILE --public-key K   check an export with the public key only (no database)
    jifang audit platform-key [--new FILE]        print the platform's public key / make a new key file
"""
import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jifang.core import audit, checkpoints, guards, platform_key


class Command(BaseCommand):
    help = "Verify the audit log against its signed checkpoints / 依据平台签名的检查点校验审计日志"
    requires_system_checks = []  # verify-export must run where there is no database at all

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="walk the chain and check it against the checkpoints")
        verify.add_argument("--checkpoints", metavar="FILE", dest="export_file",
                            help="an export kept outside the database: the log must still reach it")
        sub.add_parser("checkpoint", help="sign the chain's head now")
        export = sub.add_parser("checkpoints", help="export the signed checkpoints")
        export.add_argument("what", choices=["export"])
        export.add_argument("-o", "--output", metavar="FILE", help="default: standard output")
        offline = sub.add_parser("verify-export", help="check an export with the public key only")
        offline.add_argument("file")
        offline.add_argument("--public-key", required=True, action="append",
                             help="hex or PEM text, or a file holding it (repeat for earlier keys)")
        key = sub.add_parser("platform-key", help="print the public key, or write a new private key")
        key.add_argument("--new", metavar="FILE", help="write a new private key here (mode 600)")

    def handle(self, *args, action, **options):
        getattr(self, "do_" + action.replace("-", "_"))(**options)

    def do_verify(self, *, export_file: str | None = None, **_):
        extra = None
        if export_file:
            data = _read_export(export_file)
            extra = data.get("checkpoints") if isinstance(data, dict) else None
            if not isinstance(extra, list):
                raise CommandError("不是审计检查点导出文件 / not an audit checkpoint export")
        report = audit.verify(extra_checkpoints=extra)
        if not report.ok:
            where = f" (第 {report.first_bad} 条 / entry {report.first_bad})" if report.first_bad else ""
            raise CommandError(f"审计链不可信{where}：{report.zh} / the audit chain fails: {report.en}")
        self.stdout.write(f"审计链完整 / audit chain intact: {report.entries} entries, "
                          f"{report.checkpoints} signed checkpoints")
        from django.db import connection

        if lifted := guards.missing(connection):
            self.stderr.write(f"警告：以下表缺少防改触发器，请运行 jifang migrate / warning: guards missing on "
                              f"{', '.join(lifted)}: run `jifang migrate`")

    def do_checkpoint(self, **_):
        cp = audit.checkpoint()
        self.stdout.write(f"检查点 {cp.number} / checkpoint {cp.number}: entry {cp.seq}, {cp.hash}")

    def do_checkpoints(self, *, output: str | None = None, **_):
        from jifang.core.models import AuditCheckpoint

        data = {"format": checkpoints.FORMAT, "version": checkpoints.VERSION,
                "exported_at": timezone.now().astimezone(dt.UTC).isoformat(),
                "public_keys": {platform_key.current_key_id(): platform_key.public_key()},
                "checkpoints": [audit.checkpoint_dict(c) for c in AuditCheckpoint.objects.order_by("number")]}
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"{len(data['checkpoints'])} checkpoints -> {output}")
        else:
            self.stdout.write(text, ending="")

    def do_verify_export(self, *, file: str, public_key: list[str], **_):
        """Needs the file and the public key only: no settings beyond Django's, no database."""
        data = _read_export(file)
        try:
            keys = [_key_text(k) for k in public_key]
            report = checkpoints.verify_export(data, keys)
        except ValueError as exc:
            raise CommandError(f"公钥无效 / bad public key: {exc}") from None
        if not report.ok:
            raise CommandError(f"导出文件不可信：{report.problem.zh} / the export fails: {report.problem.en}")
        self.stdout.write(f"导出文件有效 / export verified: {report.checkpoints} checkpoints, "
                          f"the log reached entry {report.last_seq} ({report.last_hash})")

    def do_platform_key(self, *, new: str | None = None, **_):
        if new:
            try:
                key = platform_key.write_new_key(Path(new))
            except FileExistsError:
                raise CommandError(f"{new} exists: a key is never overwritten") from None
            self.stdout.write(platform_key.public_hex(key.public_key()))
            return
        self.stdout.write(f"{platform_key.public_key()}  (key id {platform_key.current_key_id()}, "
                          f"from {platform_key.source()})")


def _key_text(value: str) -> str:
    path = Path(value)
    if len(value) < 200 and not value.strip().startswith("-----") and path.is_file():
        return path.read_text()
    return value


def _read_export(name: str) -> dict:
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        return json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"无法读取导出文件 / cannot read the export: {exc}") from None
