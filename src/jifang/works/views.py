"""Works pages: the board (what waits on me), the list, the detail with its timeline, and one small
page per lifecycle step. Reads go through `visible`/`get_visible`; every write is a service call and
a refusal lands on the form with nothing saved."""
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View

from jifang.core import uploads
from jifang.core.actions import ServiceFormView
from jifang.core.generic import ObjectDetailView, ObjectEditView, ObjectListView
from jifang.core.scoping import get_visible, visible
from jifang.registry.models import SecuritySystem

from . import filtersets, forms, selectors, services
from . import models as m
from .steps import available_steps


class Board(LoginRequiredMixin, View):
    def get(self, request):
        today = timezone.localdate()
        return render(request, "works/board.html", {"sections": selectors.board(request.user, today), "today": today})


class WorksList(ObjectListView):
    model = m.Works
    filterset_class = filtersets.WorksFilterSet
    columns = ("code", "name", "kind", "status", "site", "district", "firm", "completed_on", "filed_on")


class WorksDetail(ObjectDetailView):
    model = m.Works
    template_name = "works/works_detail.html"
    fields = ("code", "name", "kind", "status", "system", "site", "district", "builder", "firm", "design_firm",
              "main_project_name", "main_design_on", "main_construction_on", "main_acceptance_on", "main_opened_on",
              "approval_number", "approval_on", "tender_number", "tender_on", "registered_on", "design_approved_on",
              "started_on", "completed_on", "accepted_on", "live_on", "filed_on")

    def extra_context(self, request, works) -> dict:
        user = request.user
        secret_ok = services.may_open_documents(user, works)
        # The works is in scope, so are its rounds: fetched once for the table, timeline and steps.
        acceptances = selectors.acceptances_of(works)
        return {
            "timeline": selectors.timeline(works, acceptances),
            "steps": available_steps(user, works, acceptances),
            "acceptances": acceptances,
            "workers": visible(user, m.Worker).filter(works=works),
            "documents": visible(user, m.WorksDocument).filter(works=works).select_related("uploaded_by")
            if secret_ok else None,
            "filing": visible(user, m.Filing).filter(works=works).select_related("received_by").first(),
            "user_is_district_officer": services.is_district_officer(user, works.district_id),
        }


class WorksEdit(ObjectEditView):
    model = m.Works
    form_class = forms.WorksForm
    create_service = services.works_register
    update_service = services.works_update
    update_kwarg = "works"


class FilingList(ObjectListView):
    model = m.Filing
    template_name = "works/plain_list.html"
    filterset_class = filtersets.FilingFilterSet
    columns = ("receipt_number", "works", "firm", "filed_on", "due_on", "district", "received_at")


class NoticeList(ObjectListView):
    model = m.NetworkingNotice
    template_name = "works/plain_list.html"
    filterset_class = filtersets.NoticeFilterSet
    columns = ("number", "system", "basis", "issued_on", "due_on", "status", "connected_on", "district")


class NoticeDetail(ObjectDetailView):
    model = m.NetworkingNotice
    template_name = "works/notice_detail.html"
    fields = ("number", "system", "works", "district", "basis", "issued_on", "due_on", "status", "connected_on",
              "issued_by")


def document_download(request, pk):
    """art_18: 404 outside scope; refused (403) to those in scope who are not the works' parties or
    district office; every served download is in the audit log first."""
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    doc = get_visible(request.user, m.WorksDocument.objects.select_related("works"), pk=pk)
    services.document_open(actor=request.user, document=doc)
    return uploads.attachment(doc.file.open("rb"), doc.content_type, filename=doc.title or f"document-{doc.pk}")


# --- one page per step ------------------------------------------------------------------------

class StepView(ServiceFormView):
    """GET shows the step's form; POST calls the step's service (core.actions). `target` is the model
    the URL's pk names; `call(user, obj, data)` makes the service call and returns the object to go
    back to."""

    target = m.Works
    form_class = forms.StepForm
    template_name = "works/step_form.html"


class DocumentUpload(StepView):
    form_class, title = forms.DocumentForm, _lazy("Upload a document")

    def call(self, user, works, d):
        services.document_upload(actor=user, works=works, kind=d["kind"], title=d["title"], file=d["file"])
        return works


class ReviewAdd(StepView):
    form_class, title = forms.ReviewForm, _lazy("Record a design review")

    def call(self, user, works, d):
        services.review_record(actor=user, works=works, **d)
        return works


class ConstructionStart(StepView):
    form_class, title = forms.DateStepForm, _lazy("Start construction")

    def call(self, user, works, d):
        return services.construction_start(actor=user, works=works, started_on=d["day"])


class WorkerAdd(StepView):
    form_class, title = forms.WorkerForm, _lazy("Name a person on the job")

    def call(self, user, works, d):
        services.worker_add(actor=user, works=works, **d)
        return works


class WorksComplete(StepView):
    form_class, title = forms.DateStepForm, _lazy("Report completion")

    def call(self, user, works, d):
        return services.works_complete(actor=user, works=works, completed_on=d["day"])


class AcceptanceSchedule(StepView):
    form_class, title = forms.ScheduleForm, _lazy("Schedule the completion acceptance")

    def call(self, user, works, d):
        return services.acceptance_schedule(actor=user, works=works, **d)


class AttendanceRecord(StepView):
    target, form_class, title = m.Acceptance, forms.AttendanceForm, _lazy("Record attendance")

    def call(self, user, acceptance, d):
        services.attendance_record(actor=user, acceptance=acceptance, **d)
        return acceptance


class AcceptanceResultRecord(StepView):
    target, form_class, title = m.Acceptance, forms.ResultForm, _lazy("Record the acceptance result")

    def call(self, user, acceptance, d):
        return services.acceptance_result_record(actor=user, acceptance=acceptance, **d)


class GoLive(StepView):
    form_class, title = forms.DateStepForm, _lazy("Put into use")

    def call(self, user, works, d):
        return services.works_go_live(actor=user, works=works, live_on=d["day"])


class FilingSubmit(StepView):
    form_class, title = forms.FilingForm, _lazy("File the completed works (art. 16)")

    def call(self, user, works, d):
        return services.filing_submit(actor=user, works=works, **d)


class FilingReceive(StepView):
    target, form_class, title = m.Filing, forms.ConfirmForm, _lazy("Receive the filing")

    def call(self, user, filing, d):
        return services.filing_receive(actor=user, filing=filing)


class NoticeIssue(StepView):
    target, form_class, title = SecuritySystem, forms.NoticeForm, _lazy("Issue a networking notice")

    def call(self, user, system, d):
        return services.notice_issue(actor=user, system=system, **d)


class NoticeConfirm(StepView):
    target, form_class, title = m.NetworkingNotice, forms.DateStepForm, _lazy("Confirm the connection")

    def call(self, user, notice, d):
        return services.notice_confirm(actor=user, notice=notice, connected_on=d["day"])
