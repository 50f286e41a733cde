"""Imports and exports of the registry as background tasks (issue 14 §4).

The page stores the upload and queues a task; a worker runs the same all-or-nothing import (or
export) as the console, with the user's own rights, while the page shows its progress and the user
may leave: "my imports and exports" lists every run with its result, errors kept cell by cell.

Where the progress lives: the import runs in ONE transaction, so a progress row written through
the same connection would stay invisible until the end (and on SQLite another connection cannot
write while the import holds the write lock). The progress therefore goes to a small JSON file
beside the upload (MEDIA_ROOT/dataset-jobs/<id>/), written atomically (a rename); the job's status
and result are database rows written outside the import's transaction. Web and worker nodes share
MEDIA_ROOT already (uploaded evidence lives there).
"""
from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from . import dataset
from .models import DatasetJob, DatasetJobKind, DatasetJobStatus

logger = logging.getLogger(__name__)
KEPT_ERRORS = 10_000  # per-cell errors kept with a job (the count says how many there were)
PROGRESS_EVERY_SECONDS = 0.5


def job_dir(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "dataset-jobs" / str(int(job_id))


def upload_path(job: DatasetJob) -> Path:
    return job_dir(job.pk) / f"upload.{job.fmt}"


def output_path(job: DatasetJob) -> Path:
    return job_dir(job.pk) / f"export.{job.fmt}"


def read_progress(job: DatasetJob) -> dict:
    """{"done", "total", "stage", "percent"} as last written by the worker."""
    if job.status == DatasetJobStatus.DONE:
        return {"done": 1, "total": 1, "stage": "", "percent": 100}
    try:
        data = json.loads((job_dir(job.pk) / "progress.json").read_text(encoding="utf-8"))
        done, total = int(data["done"]), int(data["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return {"done": 0, "total": 0, "stage": "", "percent": 0}
    percent = min(100, done * 100 // total) if total > 0 else 0
    return {"done": done, "total": total, "stage": str(data.get("stage", "")), "percent": percent}


class _ProgressFile:
    """The worker's side: at most one write every PROGRESS_EVERY_SECONDS, and the last one always."""

    def __init__(self, job_id: int):
        self.path, self.last = job_dir(job_id) / "progress.json", 0.0

    def __call__(self, done: int, total: int, stage: str) -> None:
        now = time.monotonic()
        if done < total and now - self.last < PROGRESS_EVERY_SECONDS:
            return
        self.last = now
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"done": done, "total": total, "stage": stage}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)


@transaction.atomic
def import_start(*, actor, upload, dry_run: bool = False) -> DatasetJob:
    """Store the upload and queue its import. Raises DatasetError for a file too big or of
    another type (nothing is stored then)."""
    dataset.check_size(upload.size)  # before reading it
    name = Path(upload.name or "").name[:200]
    fmt = "json" if name.lower().endswith(".json") else "xlsx"
    job = DatasetJob.objects.create(user=actor, kind=DatasetJobKind.IMPORT, fmt=fmt, filename=name, dry_run=dry_run)
    path = upload_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    # The queue is a table of the same database: the task row commits with the job and the file.
    dataset_job_run.enqueue(job.pk)
    return job


@transaction.atomic
def export_start(*, actor, fmt: str) -> DatasetJob:
    if fmt not in ("xlsx", "json"):
        raise ValueError(fmt)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    job = DatasetJob.objects.create(user=actor, kind=DatasetJobKind.EXPORT, fmt=fmt,
                                    filename=f"jifang-export-{stamp}.{fmt}")
    dataset_job_run.enqueue(job.pk)
    return job


def _import(job: DatasetJob, progress) -> dict:
    data = upload_path(job).read_bytes()
    result = dataset.dataset_import(actor=job.user, data=data, dry_run=job.dry_run, filename=job.filename,
                                    progress=progress)
    errors = [[e.sheet, e.row, e.column, e.message] for e in result.errors[:KEPT_ERRORS]]
    return {"ok": result.ok, "created": _pairs(result.created), "updated": _pairs(result.updated),
            "unchanged": _pairs(result.unchanged), "errors": errors, "errors_total": len(result.errors)}


def _pairs(counts: dict[str, int]) -> list[list]:
    """[[sheet, n], ...] in the sheets' order: PostgreSQL's jsonb does not keep the keys' order."""
    return [[name, n] for name, n in counts.items()]


def _export(job: DatasetJob, progress) -> dict:
    path = output_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        counts = dataset.dataset_export(actor=job.user, out=out, fmt=job.fmt, progress=progress)
    return {"ok": True, "created": _pairs(counts)}


def _finish(job: DatasetJob, status: str, result: dict | None = None, failure: str = "") -> None:
    DatasetJob.objects.filter(pk=job.pk).update(status=status, result=result or {}, failure=failure,
                                                finished_at=timezone.now())


@task(queue_name="imports")
def dataset_job_run(job_id: int) -> str:
    """Run one queued job. A job found running again (its worker died and the queue handed it on)
    runs again: the import is all or nothing, so nothing is written twice."""
    job = DatasetJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status in (DatasetJobStatus.DONE, DatasetJobStatus.FAILED):
        return "nothing to do"
    DatasetJob.objects.filter(pk=job.pk).update(status=DatasetJobStatus.RUNNING)
    job_dir(job.pk).mkdir(parents=True, exist_ok=True)
    run = _import if job.kind == DatasetJobKind.IMPORT else _export
    try:
        result = run(job, _ProgressFile(job.pk))
    except dataset.DatasetError as exc:  # the file as a whole is unusable: the user reads why
        _finish(job, DatasetJobStatus.FAILED, failure=exc.text)
        return "failed"
    except Exception as exc:  # a bug or the database gone: the user reads it, the log keeps the trace
        logger.exception("dataset job %s failed", job.pk)
        _finish(job, DatasetJobStatus.FAILED, failure=f"{type(exc).__name__}: {exc}"[:2000])
        return "failed"
    _finish(job, DatasetJobStatus.DONE, result)
    return "done"


def _titled() -> None:
    """The title the administrators' background jobs page shows for these tasks."""
    from jifang.jobs.selectors import describe

    describe(dataset_job_run, "导入或导出登记数据", "Registry import or export")


_titled()
