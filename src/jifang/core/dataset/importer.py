"""Import: a whole file, all or nothing, set-based (see the package's docstring). Each sheet is
checked (checker.py) and its good rows written (writer.py) inside the file's one transaction."""
from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from jifang.core import audit
from jifang.core.i18n import bilingual

from .base import DatasetError, ImportResult, Progress, RowError, audit_actor, no_progress
from .checker import SheetCheck
from .readers import RawSheet, read_dataset
from .writer import SheetWrite


class _Rollback(Exception):
    pass


def dataset_import(*, actor, data: bytes, dry_run: bool = False, filename: str = "",
                   progress: Progress = no_progress) -> ImportResult:
    """Import a whole file, or nothing. Raises DatasetError for an unusable file; bad rows are
    returned in `ImportResult.errors` (and then nothing is written)."""
    raw_sheets = read_dataset(data)
    if not raw_sheets:
        raise DatasetError("文件中没有可导入的表", "the file has no sheet to import")
    result = ImportResult(dry_run=dry_run)
    total, done = 2 * sum(len(raw.rows) for raw in raw_sheets), 0
    progress(0, total, "")
    try:
        with transaction.atomic():
            pending: dict[type, set] = {}
            for raw in raw_sheets:
                check = SheetCheck(actor, raw, result, pending).run()
                done += len(raw.rows)
                progress(done, total, raw.label)
                SheetWrite(check).run()
                done += len(raw.rows)
                progress(done, total, raw.label)
            _audit_summary(actor, result, filename)
            if dry_run and not result.errors:
                _check_deferred(result, raw_sheets)
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return result


def _check_deferred(result: ImportResult, raw_sheets: list[RawSheet]) -> None:
    """A dry run reports what the commit would refuse: foreign keys are checked at commit
    (deferred), so check them now, before rolling back (PostgreSQL: the pending checks; SQLite:
    the written tables)."""
    tables = [raw.sheet.model._meta.db_table for raw in raw_sheets]
    try:
        with transaction.atomic():
            connection.check_constraints(table_names=tables)
    except IntegrityError as exc:
        result.errors.append(RowError("", 0, "", bilingual("数据库拒绝写入：{e}", "the database refused the rows: {e}",
                                                           e=exc)))


def _audit_summary(actor, result: ImportResult, filename: str) -> None:
    audit.record(actor=audit_actor(actor), action="core.dataset.import", district="",
                 note=f"{filename} created={result.created} updated={result.updated}"[:2000])
