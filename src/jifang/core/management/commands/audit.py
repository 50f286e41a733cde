"""`jifang audit verify`: walk the hash chain of the audit log."""
from django.core.management.base import BaseCommand, CommandError

from jifang.core.audit import verify_chain
from jifang.core.models import AuditHead


class Command(BaseCommand):
    help = "Verify the audit log's hash chain / 校验审计日志哈希链"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        ok, bad = verify_chain()
        head = AuditHead.objects.filter(id=1).first()
        if not ok:
            raise CommandError(f"审计链在第 {bad} 条处断裂 / the audit chain breaks at entry {bad}")
        self.stdout.write(f"审计链完整 / audit chain intact: {head.seq if head else 0} entries, head {head.hash if head else '-'}")
