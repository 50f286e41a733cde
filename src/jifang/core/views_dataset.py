"""The import/export page: upload a JSON or xlsx dataset (all or nothing, a dry run to check
first), export what the user sees, or download the empty template. Imports and exports run as
background tasks (core/dataset_jobs.py): the request only stores the file and queues the work, the
job's page follows its progress, and "my imports and exports" lists every run with its result.
Rights and scope are the user's own: the engine (core/dataset/) applies them row by row."""
import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import dataset, dataset_jobs
from .models import DatasetJob, DatasetJobKind, DatasetJobStatus
from .roles import Role
from .scoping import is_id

SHOWN_ERRORS = 500
MY_JOBS = 50
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "json": "application/json"}


def sheet_labels() -> dict[str, str]:
    """Each sheet's name as the user reads it: in Chinese the xlsx sheet title (单位, 场所), the
    names the workbook's tabs carry; in another language the model's plural name (units, sites)."""
    chinese = (get_language() or "").startswith("zh")
    return {s.name: s.title if chinese else str(s.model._meta.verbose_name_plural) for s in dataset.sheets()}


def _counts(counts: list[list], labels: dict[str, str]) -> list[tuple[str, int]]:
    """[[sheet, n], ...] as the user reads the sheets' names."""
    return [(labels.get(name, name), n) for name, n in counts]


def _can_import(user) -> bool:
    # The read-only officer of another department exports, never imports: no form to fill in vain.
    return bool(user.role) and user.role != Role.DEPARTMENT_OFFICER


@login_required
@require_http_methods(["GET", "POST"])
def dataset_page(request):
    can_import = _can_import(request.user)
    context = {"max_mb": settings.JIFANG_IMPORT_MAX_BYTES // (1024 * 1024), "sheets": dataset.describe(),
               "can_import": can_import}
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied
        upload = request.FILES.get("file")
        if upload is None:
            context["failure"] = _("Choose a file to import.")
        else:
            try:
                job = dataset_jobs.import_start(actor=request.user, upload=upload,
                                                dry_run=bool(request.POST.get("dry_run")))
            except dataset.DatasetError as exc:
                context["failure"] = exc.text
            else:
                return redirect(job)
    return render(request, "core/import.html", context, status=400 if context.get("failure") else 200)


@login_required
@require_POST
def dataset_export_start(request, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    return redirect(dataset_jobs.export_start(actor=request.user, fmt=fmt))


def _own_job(request, pk) -> DatasetJob:
    """The user's own job; anyone else's is a 404 (its existence does not leak)."""
    if not is_id(pk):
        raise Http404
    return get_object_or_404(DatasetJob, pk=pk, user=request.user)


def _job_context(job: DatasetJob) -> dict:
    result, labels = job.result or {}, sheet_labels()
    errors = [dict(zip(("sheet", "row", "column", "message"), e, strict=True))
              for e in result.get("errors", [])[:SHOWN_ERRORS]]
    return {"job": job, "progress": dataset_jobs.read_progress(job), "finished": job.status in (
        DatasetJobStatus.DONE, DatasetJobStatus.FAILED), "ok": result.get("ok"), "errors": errors,
        "errors_total": result.get("errors_total", 0), "shown_errors": SHOWN_ERRORS,
        "created": _counts(result.get("created", []), labels), "updated": _counts(result.get("updated", []), labels),
        "unchanged": _counts(result.get("unchanged", []), labels), "is_import": job.kind == DatasetJobKind.IMPORT}


@login_required
@require_GET
def dataset_job(request, pk):
    """The job's page; htmx asks for its status part again every second until it is finished."""
    job = _own_job(request, pk)
    template = "core/_dataset_job.html" if request.htmx else "core/dataset_job.html"
    return render(request, template, _job_context(job))


@login_required
@require_GET
def dataset_jobs_page(request):
    jobs = DatasetJob.objects.filter(user=request.user).order_by("-id")[:MY_JOBS]
    return render(request, "core/dataset_jobs.html", {"jobs": jobs})


@login_required
@require_GET
def dataset_job_file(request, pk):
    job = _own_job(request, pk)
    path = dataset_jobs.output_path(job)
    if job.kind != DatasetJobKind.EXPORT or job.status != DatasetJobStatus.DONE or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.filename, content_type=FORMATS[job.fmt])


@login_required
@require_GET
def dataset_download(request, kind: str, fmt: str):
    """`export` (what the user sees) or `template` (headers and column notes), as xlsx or json,
    in the request itself: the template, and scripts that fetch an export directly. The page
    exports in the background (dataset_export_start)."""
    if fmt not in FORMATS or kind not in ("export", "template"):
        raise Http404
    # a spooled file: a city-wide export does not sit in memory while it is sent
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    dataset.dataset_export(actor=request.user, out=out, fmt=fmt, template=kind == "template")
    out.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"jifang-template.{fmt}" if kind == "template" else f"jifang-export-{stamp}.{fmt}"
    return FileResponse(out, as_attachment=True, filename=name, content_type=FORMATS[fmt])
