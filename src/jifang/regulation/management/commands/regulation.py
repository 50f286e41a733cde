"""`jifang regulation coverage [--format md|json] [--pack ID]`: clause -> rules -> tests."""
import json

from django.core.management.base import BaseCommand

from jifang.regulation import coverage


class Command(BaseCommand):
    help = "Regulation tools. coverage: every clause with its class, rules, tests and status."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        cov = sub.add_parser("coverage", help="traceability report")
        cov.add_argument("--format", choices=("md", "json"), default="md")
        cov.add_argument("--pack", default=coverage.KUNMING)

    def handle(self, *args, action, format, pack, **options):
        data = coverage.report(pack)
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(coverage.render_md(data), ending="")
