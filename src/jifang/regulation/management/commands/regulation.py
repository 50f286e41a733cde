"""`jifang regulation coverage [--format md|json] [--pack ID]`: clause -> rules -> tests."""
import json

from django.core.management.base import BaseCommand, CommandError

from jifang.regulation import coverage
from jifang.regulation.packs import PackError


class Command(BaseCommand):
    help = "Regulation tools. coverage: every clause with its class, rules, tests and status."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        cov = sub.add_parser("coverage", help="traceability report")
        cov.add_argument("--format", choices=("md", "json"), default="md")
        cov.add_argument("--pack", default=None, help="one pack id (default: every pack, one section each)")

    def handle(self, *args, action, format, pack, **options):
        try:
            reports = [coverage.report(pack)] if pack else coverage.report_all()
        except PackError as exc:
            raise CommandError(str(exc)) from exc
        if format == "json":
            data = reports[0] if pack else reports
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
        elif pack:
            self.stdout.write(coverage.render_md(reports[0]), ending="")
        else:
            self.stdout.write(coverage.render_all(reports), ending="")
