"""Enforcement pages. Reads go through `visible`/`get_visible` (outside scope: 404); every POST
calls one service, whose refusal is shown to the user as it is (Chinese / English)."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jifang.core import audit
from jifang.core.actions import REFUSED, ServiceAction, attempt, errors_text
from jifang.core.generic import ObjectListView
from jifang.core.roles import OFFICERS, OFFICIALS, POLICE_AND_ADMIN
from jifang.core.scoping import get_visible, visible
from jifang.regulation.models import Finding, FindingStatus, Outcome, Stage
from jifang.registry.models import Site, Unit

from . import documents, filtersets, forms, records, selectors, services
from . import models as m



def _acting_officer(request):
    """Queues are work to do: for the officers (and administrators) who act on them."""
    if request.user.role not in POLICE_AND_ADMIN:
        raise PermissionDenied


def _police_page(request):
    """Pages of the police office, also open to the read-only officers; units and firms get 403."""
    if request.user.role not in OFFICIALS:
        raise PermissionDenied


def _officer(request):
    if request.user.role not in OFFICERS:
        raise PermissionDenied


# ---- lists ----------------------------------------------------------------------------------------

class InspectionList(ObjectListView):
    model = m.Inspection
    filterset_class = filtersets.InspectionFilterSet
    columns = ("number", "site", "unit", "district", "kind", "inspected_on")
    create_roles = OFFICERS


class OrderList(ObjectListView):
    model = m.RectificationOrder
    filterset_class = filtersets.OrderFilterSet
    columns = ("number", "unit", "district", "deadline", "status", "served_at")
    create_roles = frozenset()  # an order is issued from a unit's findings (case file / inspection)


class CaseList(ObjectListView):
    model = m.PenaltyCase
    filterset_class = filtersets.CaseFilterSet
    columns = ("number", "unit", "district", "article_label", "status")
    create_roles = frozenset()  # a case starts from an order's overdue findings


class AtOnceList(ObjectListView):
    """Violations confirmed at a signed inspection that the law fines at once (order 799 art. 27
    para. 1, art. 28) and no order or case holds yet; each row leads to its inspection's
    "立即处罚（立案）". Pages of the police office."""
    model = Finding
    filterset_class = filtersets.AtOnceFilterSet
    columns = ("clause_label", "site", "unit", "district", "first_seen")
    select_related = ("site", "unit", "district")
    create_roles = frozenset()
    template_name = "enforcement/at_once_list.html"

    def queryset(self, request):
        _police_page(request)
        findings = selectors.awaiting_fine_at_once(request.user).select_related(*self.select_related)
        return selectors.with_at_once_inspection(request.user, findings)

    def extra_context(self, request) -> dict:
        return {"is_officer": request.user.role in OFFICERS}


# ---- inspections ----------------------------------------------------------------------------------

@login_required
def inspection_add(request):
    _officer(request)
    form = forms.InspectionForm(data=request.POST or None, user=request.user,
                                initial={"inspected_on": timezone.localdate(), "site": request.GET.get("site")})
    if request.method == "POST" and form.is_valid():
        insp = attempt(request, lambda: services.inspection_create(actor=request.user, **form.service_data()),
                       success=_("Inspection record created."))
        if insp is not REFUSED:
            return redirect(insp.get_absolute_url())
    return render(request, "enforcement/form.html", {"form": form, "title": _("New inspection")})


def _inspection_context(request, insp) -> dict:
    user = request.user
    check = records.verification(records.INSPECTION, insp)
    engine = visible(user, Finding).filter(site_id=insp.site_id, status=FindingStatus.OPEN,
                                           outcome=Outcome.VIOLATION).exclude(
        pk__in=insp.finding_links.values("finding_id")).order_by("id")
    return {
        "object": insp, "items": list(insp.items.all()), "result_choices": m.ItemResult.choices,
        "links": list(insp.finding_links.select_related("finding").order_by("id")),
        "photos": list(insp.photos.all()), "verification": check, "engine_findings": list(engine),
        "inspectors": list(insp.inspectors.order_by("id")),
        "amendments": list(insp.amendments.order_by("id")), "orders": list(insp.orders.order_by("id")),
        "cases": list(insp.penalty_cases.order_by("id")),
        "at_once": selectors.at_once_findings(insp) if user.role in OFFICERS else [],
        "is_officer": user.role in OFFICERS, "is_unit": user.role == "unit_user",
        "signed_by_me": any(s.signature.signer_id == user.pk for s in check.signatures),
        "observations_form": forms.ObservationsForm(initial={"observations": insp.observations,
                                                             "result": insp.result}),
        "raise_form": forms.RaiseFindingForm(), "photo_form": forms.PhotoForm(),
        "complaint_form": forms.ComplaintForm(),
    }


@login_required
def inspection_detail(request, pk):
    qs = m.Inspection.objects.select_related("site", "unit", "district", "amends", "created_by")
    insp = get_visible(request.user, qs, pk=pk)
    return render(request, "enforcement/inspection_detail.html", _inspection_context(request, insp))


class InspectionAction(ServiceAction):
    """A button on an inspection's page (POST, the inspection in scope, back to its page)."""

    target = m.Inspection


class InspectionObservations(InspectionAction):
    form_class, success = forms.ObservationsForm, _lazy("Saved.")

    def call(self, request, insp, data):
        return services.inspection_update(actor=request.user, inspection=insp, **data)


class InspectionChecklist(InspectionAction):
    success = _lazy("Checklist saved.")

    def call(self, request, insp, data):
        for item in insp.items.all():
            result = request.POST.get(f"result_{item.pk}")
            note = request.POST.get(f"note_{item.pk}", "")
            if result and (result != item.result or note != item.note):
                services.checklist_item_set(actor=request.user, item=item, result=result, note=note)


class InspectionRaise(InspectionAction):
    form_class, success = forms.RaiseFindingForm, _lazy("Finding raised.")

    def call(self, request, insp, data):
        return services.inspection_finding_raise(actor=request.user, inspection=insp, **data)


class InspectionConfirm(InspectionAction):
    success = _lazy("Finding confirmed.")

    def call(self, request, insp, data):
        finding = get_visible(request.user, Finding, pk=self.kwargs["finding_pk"])
        return services.inspection_finding_confirm(actor=request.user, inspection=insp, finding=finding)


class InspectionPhoto(InspectionAction):
    form_class, success = forms.PhotoForm, _lazy("Photo added.")

    def call(self, request, insp, data):
        return services.inspection_photo_add(actor=request.user, inspection=insp, **data)


class InspectionSign(InspectionAction):
    success = _lazy("Signed.")

    def call(self, request, insp, data):
        return services.inspection_sign(actor=request.user, inspection=insp)


class InspectionAmend(InspectionAction):
    form_class, success = forms.ObservationsForm, _lazy("Amendment created; sign it to make it valid.")

    def call(self, request, insp, data):
        return services.inspection_amend(actor=request.user, original=insp, **data)

    def back(self, request, insp, amendment):
        return (insp if amendment is REFUSED else amendment).get_absolute_url()


class InspectionComplaint(InspectionAction):
    form_class, success = forms.ComplaintForm, _lazy("Complaint lodged with the city bureau.")

    def call(self, request, insp, data):
        return services.complaint_lodge(actor=request.user, inspection=insp, text=data["text"])


class ComplaintAnswer(ServiceAction):
    target, form_class, success = m.InspectionComplaint, forms.AnswerComplaintForm, _lazy("Answered.")

    def call(self, request, complaint, data):
        return services.complaint_answer(actor=request.user, complaint=complaint, answer=data["answer"])

    def back(self, request, complaint, result):
        return reverse("enforcement:queues")


# ---- rectification orders ---------------------------------------------------------------------------

@login_required
def order_add(request):
    _officer(request)
    unit = get_visible(request.user, Unit, pk=request.GET.get("unit") or 0)
    inspection = None
    if request.GET.get("inspection"):
        inspection = get_visible(request.user, m.Inspection, pk=request.GET["inspection"])
    # The findings of the inspection the order follows are ticked already.
    found = list(inspection.finding_links.values_list("finding_id", flat=True)) if inspection else []
    form = forms.OrderForm(data=request.POST or None, user=request.user, unit=unit,
                           initial={"deadline": services.default_deadline(), "findings": found})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        order = attempt(request, lambda: services.rectification_order_issue(
            actor=request.user, findings=list(data["findings"]), deadline=data["deadline"],
            requirements=data["requirements"], inspection=inspection), success=_("Rectification order issued and served."))
        if order is not REFUSED:
            return redirect(order.get_absolute_url())
    return render(request, "enforcement/order_form.html", {
        "form": form, "unit": unit, "inspection": inspection, "policy_default": services.default_deadline(),
        "policy_days": settings.JIFANG_RECTIFICATION_DEFAULT_DAYS,
    })


@login_required
def order_detail(request, pk):
    order = get_visible(request.user, m.RectificationOrder.objects.select_related("unit", "district", "inspection"),
                        pk=pk)
    items = list(order.items.select_related("finding", "reviewed_by").prefetch_related("finding__recurrences")
                 .order_by("id"))
    for i in items:  # the engine's evidence, shown to the officer who decides (not a decision)
        i.corrected_in_time = services.corrected_in_time(i.finding, order.deadline)
    return render(request, "enforcement/order_detail.html", {
        "object": order, "items": items, "answers": selectors.order_answers(order),
        "verification": records.verification(records.ORDER, order),
        "cases": list(order.penalty_cases.order_by("id")),
        "overdue": [i.finding for i in items if i.finding.stage == Stage.OVERDUE],
        "is_officer": request.user.role in OFFICERS, "is_unit": request.user.role == "unit_user",
        "answer_form": forms.AnswerForm(), "today": timezone.localdate(),
    })


@login_required
def order_evidence(request, pk, evidence_pk):
    """A file the unit sent with its answer, for whoever may see the order: opened in the browser
    (photos, PDFs), or saved with ?download=1. Types were checked by content when it was sent."""
    order = get_visible(request.user, m.RectificationOrder, pk=pk)
    evidence = get_object_or_404(order.evidence, pk=evidence_pk)
    services.order_evidence_open(actor=request.user, evidence=evidence)
    return FileResponse(evidence.file.open("rb"), as_attachment=bool(request.GET.get("download")),
                        filename=evidence.filename, content_type=evidence.content_type)


class OrderAnswer(ServiceAction):
    target, form_class, success = m.RectificationOrder, forms.AnswerForm, _lazy("Answer sent.")

    def call(self, request, order, data):
        return services.rectification_order_answer(actor=request.user, order=order, response=data["response"],
                                                   files=data["files"])


class OrderReview(ServiceAction):
    target, success = m.RectificationOrder, _lazy("Review recorded.")

    def call(self, request, order, data):
        item = get_object_or_404(m.OrderItem, pk=self.kwargs["item_pk"], order=order)
        return services.order_item_review(actor=request.user, item=item,
                                          rectified=request.POST.get("rectified") == "1",
                                          note=request.POST.get("note", ""))


# ---- penalty cases -----------------------------------------------------------------------------------

def _case_form(request, *, candidates: list, unit, issue, context: dict):
    """The notice form over the candidates of one penalty article (`?article=` picks another)."""
    article = request.GET.get("article") or candidates[0].sanction["article"]
    findings = [f for f in candidates if f.sanction["article"] == article] or candidates
    sanction = findings[0].sanction
    form = forms.AmountsForm(data=request.POST or None, sanction=sanction, unit=unit)
    if request.method == "POST" and form.is_valid():
        case = attempt(request, lambda: issue(findings=findings, amounts=form.amounts(), persons=form.persons(),
                                              facts=form.cleaned_data["facts"]),
                       success=_("Notice of intended penalty served."))
        if case is not REFUSED:
            return redirect(case.get_absolute_url())
    return render(request, "enforcement/case_form.html", {
        **context, "form": form, "unit": unit, "findings": findings, "sanction": sanction,
        "articles": sorted({f.sanction["article"] for f in candidates}), "title": _("Notice of intended penalty"),
    })


@login_required
def case_add(request, order_pk):
    _officer(request)
    order = get_visible(request.user, m.RectificationOrder.objects.select_related("unit"), pk=order_pk)
    overdue = [i.finding for i in order.items.select_related("finding").order_by("id")
               if i.finding.stage == Stage.OVERDUE and i.finding.sanction]
    if not overdue:
        messages.error(request, _("No overdue finding with a penalty under this order: nothing can be fined."))
        return redirect(order.get_absolute_url())
    return _case_form(request, candidates=overdue, unit=order.unit, context={"order": order}, issue=lambda **kw: (
        services.penalty_notice_issue(actor=request.user, order=order, **kw)))


@login_required
def case_add_at_once(request, inspection_pk):
    """A case without an order, where the law fines together with the first measures (order 799
    art. 27 para. 1, art. 28), on the violations this signed inspection confirmed."""
    _officer(request)
    insp = get_visible(request.user, m.Inspection.objects.select_related("unit"), pk=inspection_pk)
    candidates = selectors.at_once_findings(insp)
    if not candidates:
        messages.error(request, _("This inspection confirmed no violation the law fines at once."))
        return redirect(insp.get_absolute_url())
    return _case_form(request, candidates=candidates, unit=insp.unit, context={"inspection": insp},
                      issue=lambda **kw: services.penalty_notice_issue(actor=request.user, inspection=insp, **kw))


@login_required
def case_detail(request, pk):
    case = get_visible(request.user, m.PenaltyCase.objects.select_related("unit", "order", "inspection", "district", "decision"),
                       pk=pk)
    decision = getattr(case, "decision", None)
    findings = list(case.findings.order_by("id"))
    decide_form = None
    if request.user.role in OFFICERS and case.status == m.CaseStatus.STATEMENT:
        noticed = {a.target: a for a in case.amounts.filter(stage=m.AmountStage.NOTICE)}
        initial = {f"amount_{t}": a.amount for t, a in noticed.items()}
        initial.update({f"name_{t}": a.person_name for t, a in noticed.items() if a.person_name})
        initial["facts"] = case.facts
        decide_form = forms.AmountsForm(sanction=findings[0].sanction, unit=case.unit, initial=initial)
    return render(request, "enforcement/case_detail.html", {
        "object": case, "findings": findings, "amounts": list(case.amounts.order_by("stage", "id")),
        "notice_check": records.verification(records.NOTICE, case), "decision": decision,
        "decision_check": records.verification(records.DECISION, decision) if decision else None,
        "statement_form": forms.StatementForm(), "decide_form": decide_form,
        "is_officer": request.user.role in OFFICERS, "is_unit": request.user.role == "unit_user",
    })


class CaseStatement(ServiceAction):
    target, form_class, success = m.PenaltyCase, forms.StatementForm, _lazy("Statement and defence recorded.")

    def call(self, request, case, data):
        return services.penalty_statement_record(actor=request.user, case=case, **data)


class CaseDecide(ServiceAction):
    target, success = m.PenaltyCase.objects.select_related("unit"), _lazy("Penalty decided and served.")

    def call(self, request, case, data):
        sanction = case.findings.order_by("id").first().sanction
        form = forms.AmountsForm(request.POST, sanction=sanction, unit=case.unit)
        if not form.is_valid():
            raise ValidationError(errors_text(form))
        return services.penalty_decide(actor=request.user, case=case, amounts=form.amounts(),
                                       persons=form.persons(), facts=form.cleaned_data["facts"])


# ---- documents and verification ----------------------------------------------------------------------

DOCUMENTS = {
    "inspection": (m.Inspection, documents.inspection_pdf, lambda o: True),
    "order": (m.RectificationOrder, documents.order_pdf, lambda o: True),
    "notice": (m.PenaltyCase, documents.notice_pdf, lambda o: True),
    "decision": (m.PenaltyDecision, documents.decision_pdf, lambda o: True),
}


@login_required
def document(request, kind, pk):
    model, build, ready = DOCUMENTS.get(kind) or (None, None, None)
    if model is None:
        raise PermissionDenied
    obj = get_visible(request.user, model, pk=pk)
    if not ready(obj):
        messages.error(request, _("This document does not exist yet."))
        return redirect(obj.get_absolute_url())
    try:
        doc = build(obj)
    except documents.NotVerified as exc:
        # an alarm as much as a refusal: on record, and shown to the user with the reason
        audit.record(actor=request.user, action="enforcement.document.refused", obj=obj, note=exc.en)
        messages.error(request, f"{exc.zh} / {exc.en}")
        return redirect(obj.get_absolute_url())
    response = HttpResponse(doc.content, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(doc.filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


VERIFIABLE = (
    (m.Inspection, "verify_code", records.INSPECTION, "sealed_hash"),
    (m.RectificationOrder, "verify_code", records.ORDER, "sealed_hash"),
    (m.PenaltyCase, "verify_code", records.NOTICE, "sealed_hash"),
    (m.PenaltyDecision, "verify_code", records.DECISION, "sealed_hash"),
)


@login_required
def verify(request, code=""):
    """Anyone with access to a record checks a printed code: the record's hash now, the hash it was
    signed with, and each signature."""
    code = (code or request.GET.get("code", "")).strip().lower()[:16]
    found = None
    if code:
        for model, field, record_type, _hash_field in VERIFIABLE:
            obj = visible(request.user, model).filter(**{field: code}).first()
            if obj is not None:
                found = {"object": obj, "type": record_type, "check": records.verification(record_type, obj)}
                break
    return render(request, "enforcement/verify.html", {"code": code, "found": found})


# ---- case file, queues, figures ----------------------------------------------------------------------

@login_required
def casefile_unit(request, pk):
    _police_page(request)
    unit = get_visible(request.user, Unit, pk=pk)
    return render(request, "enforcement/casefile.html", {"subject": unit, **selectors.casefile(request.user, unit=unit)})


@login_required
def casefile_site(request, pk):
    _police_page(request)
    site = get_visible(request.user, Site, pk=pk)
    return render(request, "enforcement/casefile.html", {"subject": site, **selectors.casefile(request.user, site=site)})


@login_required
def queues(request):
    _acting_officer(request)
    return render(request, "enforcement/queues.html", {**selectors.queues(request.user),
                                                       "answer_form": forms.AnswerComplaintForm()})


@login_required
def figures(request):
    _police_page(request)
    return render(request, "enforcement/figures.html", selectors.figures(request.user))
