"""`jifang enforcement overdue [--as-of DATE] [--district CODE]`: findings whose correction
deadline passed uncorrected become overdue (run daily from cron or a timer)."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from jifang.core.errors import ServiceError
from jifang.enforcement import services


class Command(BaseCommand):
    help = "Enforcement housekeeping: move findings past their correction deadline to overdue."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        overdue = sub.add_parser("overdue", help="mark findings overdue whose order deadline has passed")
        overdue.add_argument("--as-of", help="YYYY-MM-DD, not after today (default: today); deadlines before it "
                                             "count as passed")
        overdue.add_argument("--district", help="only this district code")

    def handle(self, *args, action, **options):
        as_of = None
        if options.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError(f"--as-of: {exc}") from exc
        try:
            moved = services.overdue_sweep(actor=None, as_of=as_of, district=options.get("district"))
        except ServiceError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"逾期未改正 / overdue: {moved}")
