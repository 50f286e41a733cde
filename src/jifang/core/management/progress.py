"""The console's progress bar for `jifang import` and `jifang export` (rich, on standard error):
the same progress reports the background jobs write for the web page."""
import contextlib
import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn


@contextlib.contextmanager
def progress_bar(title: str):
    """Yields a `progress(done, total, stage)` callback drawing one bar."""
    console = Console(file=sys.stderr)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task(title, total=None)

        def progress(done: int, total: int, stage: str) -> None:
            bar.update(task, completed=done, total=total or None, description=f"{title} {stage}".strip())

        yield progress
