"""The import/export page: upload a JSON or xlsx dataset (all or nothing, a dry run to check
first), download what the user sees, or the empty template. Rights and scope are the user's own:
the engine (core/dataset/) applies them row by row."""
import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import dataset
from .roles import Role

SHOWN_ERRORS = 500
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "json": "application/json"}


def sheet_labels() -> dict[str, str]:
    """Each sheet's name as the user reads it: in Chinese the xlsx sheet title (单位, 场所), the
    names the workbook's tabs carry; in another language the model's plural name (units, sites)."""
    chinese = (get_language() or "").startswith("zh")
    return {s.name: s.title if chinese else str(s.model._meta.verbose_name_plural) for s in dataset.sheets()}


def _counts(counts: dict[str, int], labels: dict[str, str]) -> list[tuple[str, int]]:
    return [(labels.get(name, name), n) for name, n in counts.items()]


def _import_upload(request) -> dict:
    upload = request.FILES.get("file")
    if upload is None:
        return {"failure": _("Choose a file to import.")}
    try:
        dataset.check_size(upload.size)  # before reading it into memory
        result = dataset.dataset_import(actor=request.user, data=upload.read(), dry_run=bool(request.POST.get("dry_run")),
                                        filename=upload.name)
    except dataset.DatasetError as exc:
        return {"failure": exc.text}
    labels = sheet_labels()
    return {"result": result, "errors": result.errors[:SHOWN_ERRORS], "filename": upload.name,
            "created": _counts(result.created, labels), "updated": _counts(result.updated, labels),
            "unchanged": _counts(result.unchanged, labels)}


@login_required
@require_http_methods(["GET", "POST"])
def dataset_page(request):
    # The read-only officer of another department exports, never imports: no form to fill in vain.
    can_import = bool(request.user.role) and request.user.role != Role.DEPARTMENT_OFFICER
    context = {"max_mb": settings.JIFANG_IMPORT_MAX_BYTES // (1024 * 1024), "sheets": dataset.describe(),
               "shown_errors": SHOWN_ERRORS, "can_import": can_import}
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied
        context.update(_import_upload(request))
    return render(request, "core/import.html", context, status=400 if context.get("failure") else 200)


@login_required
@require_GET
def dataset_download(request, kind: str, fmt: str):
    """`export` (what the user sees) or `template` (headers and column notes), as xlsx or json."""
    if fmt not in FORMATS or kind not in ("export", "template"):
        raise Http404
    # a spooled file: a city-wide export does not sit in memory while it is sent
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    dataset.dataset_export(actor=request.user, out=out, fmt=fmt, template=kind == "template")
    out.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"jifang-template.{fmt}" if kind == "template" else f"jifang-export-{stamp}.{fmt}"
    return FileResponse(out, as_attachment=True, filename=name, content_type=FORMATS[fmt])
