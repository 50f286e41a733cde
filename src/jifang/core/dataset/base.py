"""What every part of the dataset engine shares: the format's constants, the console's actor,
and the two kinds of failure (the whole file, or one cell)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

from jifang.core.i18n import bilingual

FORMAT = "jifang-dataset"
VERSION = 1
CHUNK = 900  # keys per IN list: below SQLite's historical 999-parameter limit
ID_HEADER = "编号"
NOTES_SHEET = "说明"

# The console's actor (`jifang import` without --as): the operator with shell access is trusted
# like `jifang seed`; the audit log records "system".
SYSTEM = SimpleNamespace(pk=None, username="system", role="admin", division_id=None, is_authenticated=True,
                         is_active=True)


# progress(done, total, stage): rows handled so far, rows in all, the sheet being worked on. The
# import reports each sheet twice (checked, written); the export every PROGRESS_EVERY rows.
Progress = Callable[[int, int, str], None]
PROGRESS_EVERY = 1000


def no_progress(done: int, total: int, stage: str) -> None:
    pass


class DatasetError(Exception):
    """The file as a whole is unusable (not JSON/xlsx, too big, no known sheet)."""

    def __init__(self, zh: str, en: str, **values):
        self.text = bilingual(zh, en, **values)
        super().__init__(self.text)


class CellError(Exception):
    """One cell is unusable; the import reports it with its sheet, row and column."""

    def __init__(self, zh: str, en: str | None = None, **values):
        # en None: `zh` is already bilingual (a model validator's message)
        self.text = zh if en is None else bilingual(zh, en, **values)


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self):
        where = f"{self.sheet} 第{self.row}行" if self.row else self.sheet
        return f"{where} [{self.column}]: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def committed(self) -> bool:
        return self.ok and not self.dry_run


def audit_actor(actor):
    """The actor as the audit log records it: the console is "system" (no user)."""
    return None if actor is SYSTEM else actor


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
