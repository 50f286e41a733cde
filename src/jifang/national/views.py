"""Pages of the national workflows: the manager's filings and viewing requests, the district
office's queues, and the public report page (no sign-in) with its status page."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from jifang.core import uploads
from jifang.core.actions import ServiceAction, ServiceFormView, refusal_text
from jifang.core.generic import Link, ObjectDetailView, ObjectEditView, ObjectListView
from jifang.core.roles import OFFICERS, OFFICIALS
from jifang.core.scoping import can_write, get_visible, is_id, visible
from jifang.registry.models import SecuritySystem

from . import challenge, documents, filtersets, forms, services
from . import models as m

UNIT_ROLES = frozenset({"unit_user"})


def _police_page(request) -> None:
    if request.user.role not in OFFICIALS:
        raise PermissionDenied


# ---- system filings ------------------------------------------------------------------------------

class FilingList(ObjectListView):
    model = m.SystemFiling
    filterset_class = filtersets.SystemFilingFilterSet
    columns = ("receipt_number", "system", "kind", "status", "submitted_on", "unit_name", "camera_count",
               "retention_days", "district")
    create_roles = UNIT_ROLES | OFFICERS


class FilingDetail(ObjectDetailView):
    model = m.SystemFiling
    template_name = "national/filing_detail.html"
    fields = ("receipt_number", "kind", "changes", "status", "system", "site", "district", "unit_name", "credit_code",
              "unit_address", "person_in_charge", "contact_name", "contact_phone", "location", "in_use_since",
              "camera_count", "with_nvr", "with_dvr", "with_encoder", "retention_days", "note", "submitted_on",
              "submitted_by", "handled_by", "handled_at", "return_reason", "verify_code")
    links = (Link(_("Filing form (PDF)"), "national:filing_pdf"),)

    def extra_context(self, request, obj):
        handles = obj.status == m.FilingStatus.SUBMITTED and request.user.role in OFFICERS
        changeable = obj.status != m.FilingStatus.SUBMITTED and can_write(request.user, m.SystemFiling, obj)
        return {"may_handle": handles, "return_form": forms.ReasonForm() if handles else None,
                "may_file_again": changeable}


class FilingAdd(ObjectEditView):
    """A first or change filing; `?system=<id>` starts from the registry's facts of that system (and,
    for a change, the filing in force)."""

    model = m.SystemFiling
    form_class = forms.FilingForm
    create_service = services.filing_submit
    create_roles = UNIT_ROLES | OFFICERS

    def form(self, request, obj, data=None, files=None):
        form = super().form(request, obj, data, files)
        raw = request.GET.get("system", "")
        if data is None and is_id(raw):
            system = visible(request.user, SecuritySystem).select_related("unit", "site").filter(pk=int(raw)).first()
            if system is not None:
                facts = services.registry_facts(system)
                previous = services.current_filing(system)
                if previous is not None:  # a change: keep what was filed, show the registry's numbers
                    facts |= {n: getattr(previous, n) for n in ("unit_name", "credit_code", "unit_address",
                                                              "person_in_charge", "contact_name", "contact_phone",
                                                              "location", "in_use_since")}
                form.initial.update({k: v for k, v in facts.items() if v not in (None, "")})
        return form


class FilingReceive(ServiceAction):
    target = m.SystemFiling
    success = _("The filing is received; its receipt number is given.")

    def call(self, request, obj, data):
        return services.filing_receive(actor=request.user, filing=obj)


class FilingReturn(ServiceAction):
    target = m.SystemFiling
    form_class = forms.ReasonForm
    success = _("The filing is returned to the unit with the reason.")

    def call(self, request, obj, data):
        return services.filing_return(actor=request.user, filing=obj, reason=data["reason"])


@login_required
def filing_pdf(request, pk):
    filing = get_visible(request.user, m.SystemFiling.objects.select_related("system", "district", "changes"), pk=pk)
    doc = documents.filing_pdf(filing)
    response = HttpResponse(doc.content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(doc.filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
def filing_verify(request, code=""):
    """The code printed on a filing form: the record (in the reader's scope) and whether what was
    filed still matches the hash printed when it was received."""
    code = (code or request.GET.get("code", "")).strip().upper()[:16]
    filing = visible(request.user, m.SystemFiling).filter(verify_code=code).first() if code else None
    intact = filing is not None and (not filing.sealed_hash or filing.sealed_hash == services.filed_hash(filing))
    return render(request, "national/filing_verify.html", {"code": code, "filing": filing, "intact": intact})


# ---- reports from the public: the police side ---------------------------------------------------

class ReportList(ObjectListView):
    model = m.PublicReport
    filterset_class = filtersets.PublicReportFilterSet
    columns = ("code", "received_at", "kind", "place", "status", "district")
    create_roles = frozenset()  # reports are made on the public page only

    def get(self, request, *args, **kwargs):
        _police_page(request)
        return super().get(request, *args, **kwargs)


class ReportDetail(ObjectDetailView):
    model = m.PublicReport
    template_name = "national/report_detail.html"
    fields = ("code", "received_at", "district", "kind", "place", "description", "status", "inspection",
              "close_reason", "handled_by", "handled_at")

    def get_object(self, request, pk):
        _police_page(request)
        return super().get_object(request, pk)

    def extra_context(self, request, obj):
        open_ = obj.status == m.ReportStatus.RECEIVED and request.user.role in OFFICERS
        return {
            "photos": list(obj.photos.all()),
            "has_contact": bool(obj.contact_token),
            "may_read_contact": request.user.role in OFFICERS,
            "inspection_form": forms.ToInspectionForm(user=request.user, district=obj.district_id) if open_ else None,
            "close_form": forms.ReasonForm() if open_ else None,
        }


class ReportContact(ServiceAction):
    """Shows the reporter's contact once, on request (each reading is audited)."""

    target = m.PublicReport

    def call(self, request, obj, data):
        contact = services.report_contact(actor=request.user, report=obj)
        messages.info(request, gettext("Reporter's contact: %(contact)s") % {"contact": contact or "—"})
        return obj


class ReportToInspection(ServiceFormView):
    target = m.PublicReport
    form_class = forms.ToInspectionForm
    template_name = "core/object_form.html"
    title = _("Turn the report into an inspection")
    success = _("An inspection is opened for the report.")
    roles = OFFICERS

    def form(self, request, obj, data=None, files=None):
        return forms.ToInspectionForm(data, user=request.user, district=obj.district_id)

    def call(self, user, obj, data):
        return services.report_to_inspection(actor=user, report=obj, **data)

    def back(self, obj):
        return obj.get_absolute_url()


class ReportClose(ServiceAction):
    target = m.PublicReport
    form_class = forms.ReasonForm
    success = _("The report is closed.")

    def call(self, request, obj, data):
        return services.report_close(actor=request.user, report=obj, reason=data["reason"])


@login_required
def report_photo(request, pk):
    photo = get_visible(request.user, m.ReportPhoto, pk=pk)
    _police_page(request)
    return uploads.attachment(photo.file.open("rb"), photo.content_type, f"举报照片-{photo.report.code}-{photo.pk}")


# ---- reports from the public: the public side (no sign-in) ---------------------------------------

def _client_address(request) -> str:
    # The deployment's reverse proxy sets REMOTE_ADDR (docs/operations.md); a header the client
    # writes itself (X-Forwarded-For) is not trusted for a limit meant to stop that client.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _upload_limit() -> int:
    from django.conf import settings

    return settings.JIFANG_PUBLIC_REPORT_MAX_PHOTOS * settings.JIFANG_PUBLIC_REPORT_PHOTO_MAX_BYTES + 256 * 1024


def _public_form(request, form=None, *, error: str = "", status: int = 200):
    """The report page with a fresh question; a refused form keeps what was typed, not the answer."""
    question, token = challenge.issue()
    form = form or forms.PublicReportForm()
    if form.is_bound:
        form.data = form.data.copy()
        form.data["challenge"], form.data["answer"] = token, ""
    else:
        form.initial["challenge"] = token
    return render(request, "national/public_report.html", {"form": form, "question": question, "error": error},
                  status=status)


def _bounded(view):
    """Refuse a body larger than the photos allowed before anything reads it (the CSRF check
    included, which would otherwise parse the whole upload first)."""
    protected = csrf_protect(view)

    @csrf_exempt
    def guard(request, *args, **kwargs):
        length = request.META.get("CONTENT_LENGTH") or "0"
        if request.method == "POST" and (not length.isdigit() or int(length) > _upload_limit()):
            error = gettext("The photos are too large: at most %(n)s photos of %(mb)s MB each.") % {
                "n": _limit("MAX_PHOTOS"), "mb": _limit("PHOTO_MAX_BYTES") // (1024 * 1024) or 1}
            return _public_form(request, error=error, status=413)
        return protected(request, *args, **kwargs)

    return guard


@require_http_methods(["GET", "POST"])
@_bounded
def public_report(request):
    """举报 (order 799 art. 24 para. 2), open to anyone: a signed sum instead of an account, at most
    JIFANG_PUBLIC_REPORT_LIMIT reports per address and window, photos bounded in number, size and type."""
    if request.method == "GET":
        return _public_form(request)
    form = forms.PublicReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _public_form(request, form, status=400)
    data = form.cleaned_data
    if not challenge.passed(data["challenge"], data["answer"]):
        form.add_error("answer", gettext("The answer is not right, or the question has expired: answer the new one."))
        return _public_form(request, form, status=400)
    try:
        report = services.report_submit(
            district=data["district"], kind=data["kind"], place=data["place"], description=data["description"],
            contact=data["contact"], photos=data["photos"], source=services.source_hash(_client_address(request)))
    except ValidationError as exc:
        throttled = any(getattr(e, "code", "") == "throttled" for e in exc.error_list)
        return _public_form(request, form, error=refusal_text(exc), status=429 if throttled else 400)
    return render(request, "national/public_report_done.html", {"report": report}, status=201)


def _limit(name: str) -> int:
    from django.conf import settings

    return getattr(settings, f"JIFANG_PUBLIC_REPORT_{name}")


def public_report_status(request):
    """The status of a report by its receipt code: status only, nothing else of the report."""
    code = request.GET.get("code", "").strip().upper().replace("-", "")[:12]
    report = m.PublicReport.objects.filter(code=code).only("code", "status", "received_at").first() if code else None
    return render(request, "national/public_report_status.html", {"code": code, "report": report})


# ---- viewing requests ----------------------------------------------------------------------------

class ViewingList(ObjectListView):
    model = m.ViewingRequest
    filterset_class = filtersets.ViewingRequestFilterSet
    columns = ("requested_at", "requester_name", "relation", "system", "status", "decided_at", "district")
    create_roles = UNIT_ROLES


class ViewingDetail(ObjectDetailView):
    model = m.ViewingRequest
    template_name = "national/viewing_detail.html"
    fields = ("system", "site", "unit", "requester_name", "requester_id_number", "relation", "person_name", "reason",
              "recording_from", "recording_to", "requested_at", "status", "decided_by", "decided_at",
              "refusal_reason", "footage_use", "recorded_by")

    def extra_context(self, request, obj):
        answers = obj.status == m.ViewingStatus.PENDING and can_write(request.user, m.ViewingRequest, obj)
        return {"consent_form": forms.ConsentForm() if answers else None,
                "refuse_form": forms.ReasonForm() if answers else None}


class ViewingAdd(ObjectEditView):
    model = m.ViewingRequest
    form_class = forms.ViewingRequestForm
    create_service = services.viewing_request_record
    create_roles = UNIT_ROLES


class ViewingConsent(ServiceAction):
    target = m.ViewingRequest
    form_class = forms.ConsentForm
    success = _("Consent recorded; the viewing is entered in the usage register.")

    def call(self, request, obj, data):
        return services.viewing_consent(actor=request.user, request=obj, **data)


class ViewingRefuse(ServiceAction):
    target = m.ViewingRequest
    form_class = forms.ReasonForm
    success = _("The refusal is recorded.")

    def call(self, request, obj, data):
        return services.viewing_refuse(actor=request.user, request=obj, reason=data["reason"])
