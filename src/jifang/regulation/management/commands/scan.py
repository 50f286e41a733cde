"""`jifang scan`: run the rule engine, store and reconcile findings, print a summary or JSON."""
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from jifang.core.errors import NotPermitted, ServiceError
from jifang.regulation import services
from jifang.regulation.packs import PackError, all_packs
from jifang.regulation.selectors import finding_json, seen_by


class Command(BaseCommand):
    help = "Run the compliance scan (all packs in force on the as-of date) and reconcile the findings."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default today)")
        parser.add_argument("--district", default=None, help="division code, e.g. 530102")
        parser.add_argument("--site", default=None, help="site code")
        parser.add_argument("--pack", default=None,
                            help="only this rule pack, e.g. cn-order-2025-799 (default: every pack in force)")
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args, as_of, district, site, pack, format, **options):
        try:
            run = services.scan(actor=None, as_of=as_of, district=district, site=site, pack=pack)
        except (ServiceError, NotPermitted) as exc:
            raise CommandError(str(exc)) from exc
        except PackError as exc:
            raise CommandError(f"{exc} (known: {', '.join(p.id for p in all_packs())})") from exc
        if format == "json":
            findings = seen_by(run).order_by("pk")
            doc = {"run": {"id": run.pk, "as_of": run.as_of.isoformat(), "area": run.area,
                           "counts": run.counts},
                   "findings": [finding_json(f) for f in findings.iterator(chunk_size=2000)]}
            self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1))
            return
        self._table(run)

    def _table(self, run):
        c = run.counts
        area = run.area or "whole registry / 全市"
        self.stdout.write(f"scan run {run.pk}  as of {run.as_of}  area {area}  packs {', '.join(c.get('packs', []))}")
        self.stdout.write(f"{'rule':45} {'rows':>8}")
        for rule, n in c.get("rules", {}).items():
            self.stdout.write(f"{rule:45} {n:>8}")
        self.stdout.write(
            f"violations {c['violation']}  undetermined {c['undetermined']}  new {c['new']}  still open "
            f"{c['still_open']}  resolved {c['resolved']}  no longer seen (under enforcement) "
            f"{c['unseen_under_enforcement']}"
        )
