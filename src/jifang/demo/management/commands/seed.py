"""`jifang seed [--scale N] [--seed S]`: build the demo city (see jifang.core.demo)."""
import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from jifang.core.demo import DEFAULT_SCALE, DEFAULT_SEED, manifest_path, seed_city
from jifang.registry.models import Unit


class Command(BaseCommand):
    help = "Build the demo city of Kunming (deterministic for a given --seed) / 生成演示数据"

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=DEFAULT_SCALE, help="number of sites (default 500)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 116)")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="the date the data is relative to (YYYY-MM-DD; default today)")

    def handle(self, *args, scale, seed, today, **options):
        if scale < 1:
            raise CommandError("--scale must be at least 1 / 规模至少为1")
        if Unit.objects.exists():
            raise CommandError("the registry is not empty: seed a fresh database / 登记库非空，请在空数据库上生成演示数据")
        console = Console(file=self.stdout, highlight=False)
        started = time.perf_counter()
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TimeRemainingColumn(), console=console, transient=scale < 5000) as bar:
            ctx = seed_city(scale=scale, seed=seed, today=today, progress=self.progress_to(bar, seed))
        self.summary(console, ctx, time.perf_counter() - started)

    @staticmethod
    def progress_to(bar: Progress, seed: int):
        """One bar per demo hook ("registry" counts sites; other apps count what they make)."""
        tasks = {}

        def progress(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(f"seed {seed}: {label}", total=total)
            bar.update(tasks[label], completed=done, total=total)

        return progress

    def summary(self, console, ctx, seconds: float) -> None:
        console.print(f"演示城市 demo city: scale {ctx.scale}, seed {ctx.seed}, today {ctx.today}, {seconds:.1f} s")
        table = Table()
        table.add_column("rows")
        table.add_column("count", justify="right")
        for label, count in sorted(ctx.counts.items()):
            table.add_row(label, f"{count:,}")
        console.print(table)
        planted = Table(title="planted (manifest)")
        planted.add_column("clause")
        planted.add_column("violations", justify="right")
        planted.add_column("undetermined", justify="right")
        m = ctx.manifest
        for clause in sorted(set(m.planted) | set(m.planted_undetermined), key=_clause_order):
            planted.add_row(clause, str(len(m.planted.get(clause, ()))), str(len(m.planted_undetermined.get(clause, ()))))
        console.print(planted)
        console.print(f"manifest: {manifest_path()}")


def _clause_order(clause: str) -> list[int]:
    return [int(part.split("_")[-1]) for part in clause.split("__")]
