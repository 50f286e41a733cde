"""Pages of the duty records. Records are evidence: there are add pages and, for an outage, one
explanation; there are no edit pages (a footage register entry is corrected by a new entry)."""
from urllib.parse import urlencode

from django.core.files.storage import default_storage
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jifang.core import uploads
from jifang.core.actions import ServiceAction
from jifang.core.generic import ObjectDetailView, ObjectEditView, ObjectListView, Related
from jifang.core.roles import POLICE_AND_ADMIN, Role
from jifang.core.scoping import can_write, get_visible, visible

from . import filtersets, forms, registers, services
from .camera import CameraBaseline, CameraRecord, CameraRecordKind
from . import models as m


class OutageList(ObjectListView):
    model = m.Outage
    filterset_class = filtersets.OutageFilterSet
    columns = ("system", "device", "started_at", "ended_at", "cause", "source", "site", "district")


class OutageDetail(ObjectDetailView):
    model = m.Outage
    template_name = "duties/outage_detail.html"
    fields = ("system", "device", "site", "unit", "district", "source", "started_at", "ended_at", "cause", "note",
              "explained_by", "explained_at")

    def extra_context(self, request, obj):
        may_explain = obj.explained_at is None and can_write(request.user, m.Outage, obj)
        return {"explain_form": forms.OutageExplainForm() if may_explain else None}


class OutageAdd(ObjectEditView):
    model = m.Outage
    form_class = forms.OutageForm
    create_service = services.outage_record


class OutageExplain(ServiceAction):
    target = m.Outage
    form_class = forms.OutageExplainForm
    success = _("The explanation is recorded.")

    def call(self, request, obj, data):
        return services.outage_explain(actor=request.user, outage=obj, **data)


class FootageUseList(ObjectListView):
    model = m.FootageUse
    filterset_class = filtersets.FootageUseFilterSet
    columns = ("used_at", "kind", "system", "user_name", "purpose", "destination", "approved_by_name", "site")


class FootageUseDetail(ObjectDetailView):
    model = m.FootageUse
    template_name = "duties/footageuse_detail.html"
    fields = ("system", "site", "unit", "district", "kind", "recording_from", "recording_to", "used_at", "user_name",
              "purpose", "destination", "requester_unit", "requester_name", "content", "legal_basis",
              "approved_by_name", "approved_at", "corrects", "recorded_by", "created_at")
    related = (
        Related(_("Corrections of this entry"), m.FootageUse, "corrects", ("used_at", "kind", "user_name", "purpose"),
                "duties:footageuse_list", "system"),
    )

    def extra_context(self, request, obj):
        return {"cameras": list(obj.cameras.all()), "may_correct": can_write(request.user, m.FootageUse, obj)}


class FootageUseAdd(ObjectEditView):
    model = m.FootageUse
    form_class = forms.FootageUseForm
    create_service = services.footage_use_record



# --- the unit's registers (art_18, art_20, art_21): made from registers.REGISTERS -------------------

KEEPERS = frozenset({Role.UNIT_USER, Role.ADMIN})


class RegisterDetail(ObjectDetailView):
    template_name = "duties/register_detail.html"
    register: registers.Register

    def extra_context(self, request, obj):
        keeper = request.user.role in KEEPERS and can_write(request.user, self.model, obj)
        acknowledge = (self.model is m.SuspicionReport and obj.acknowledged_at is None
                       and request.user.role in POLICE_AND_ADMIN)
        return {"register": self.register, "correct_url": self.correct_url(obj) if keeper else "",
                "corrections": list(visible(request.user, self.model).filter(corrects=obj).order_by("pk")),
                "phone": services.cleared_person_phone(obj) if self.model is m.ClearedPerson else None,
                "acknowledge_form": forms.AcknowledgeForm() if acknowledge else None}

    def correct_url(self, obj) -> str:
        """The add page, prefilled to correct `obj` (same site, and system for a system's record)."""
        where = {"site": obj.site_id, "corrects": obj.pk}
        if self.register.by_system:
            where["system"] = obj.system_id
        return f"{reverse(f'duties:{self.register.name}_add')}?{urlencode(where)}"


def register_views(register: registers.Register) -> tuple[type, type, type]:
    """The list, detail and add pages of one register. Units add entries; the police read."""
    model, name = register.model, register.name
    shown = ("number", *register.fields, "site", "unit", "district", "corrects", "recorded_by", "created_at")
    if model is m.SuspicionReport:
        shown += ("acknowledged_by", "acknowledged_at", "acknowledgement")
    common = {"model": model, "__module__": __name__}
    listing = type(f"{model.__name__}List", (ObjectListView,), {
        **common, "filterset_class": filtersets.register_filterset(register), "columns": register.columns,
        "create_roles": KEEPERS})
    detail = type(f"{model.__name__}Detail", (RegisterDetail,), {
        **common, "register": register, "fields": tuple(dict.fromkeys(shown))})
    add = type(f"{model.__name__}Add", (ObjectEditView,), {
        **common, "form_class": forms.register_form(register), "create_service": staticmethod(register.service),
        "create_roles": KEEPERS})
    return listing, detail, add


REGISTER_VIEWS = {r.name: register_views(r) for r in registers.REGISTERS}


def evidence(request, name: str, pk: int):
    """The evidence file of a register entry, as a download, to those who may see the entry."""
    register = registers.BY_NAME.get(name)
    if register is None or not request.user.is_authenticated:
        raise Http404
    entry = get_visible(request.user, register.model, pk=pk)
    if not entry.evidence:
        raise Http404
    return uploads.attachment(default_storage.open(entry.evidence, "rb"), entry.evidence_type, filename=entry.number)


class SuspicionAcknowledge(ServiceAction):
    target = m.SuspicionReport
    form_class = forms.AcknowledgeForm
    success = _("The report is acknowledged.")

    def call(self, request, obj, data):
        return services.suspicion_report_acknowledge(actor=request.user, report=obj, **data)


# ---- camera baselines (art_21 point 4, art_22 point 2) -----------------------------------------------

def _camera_service(kind: str):
    def create(*, actor, **data):
        return services.camera_record_create(actor=actor, kind=kind, **data)
    return create


class CameraBaselineList(ObjectListView):
    model = CameraBaseline
    filterset_class = filtersets.CameraBaselineFilterSet
    columns = ("device", "position", "direction", "purpose", "approved_at", "found_position", "found_at", "site")
    template_name = "duties/camerabaseline_list.html"

    def can_create(self, request) -> bool:
        return False  # a baseline is made by an approved change, never from a blank form


class CameraBaselineDetail(ObjectDetailView):
    model = CameraBaseline
    fields = ("device", "system", "site", "unit", "district", "position", "direction", "purpose", "approved_at",
              "approved", "found_position", "found_direction", "found_purpose", "found_at", "found")
    template_name = "duties/camerabaseline_detail.html"

    def extra_context(self, request, obj):
        records = visible(request.user, CameraRecord).filter(device_id=obj.device_id).order_by("-effective_at", "-id")
        return {"records": list(records[:50]), "can_edit": False,
                "may_approve": request.user.role in (Role.UNIT_USER, Role.ADMIN),
                "may_record_found": request.user.role in (Role.UNIT_USER, *POLICE_AND_ADMIN)}


class CameraRecordList(ObjectListView):
    model = CameraRecord
    filterset_class = filtersets.CameraRecordFilterSet
    columns = ("effective_at", "kind", "device", "position", "direction", "purpose", "approved_by_name", "site")
    create_roles = frozenset({Role.UNIT_USER, Role.ADMIN})


class CameraRecordDetail(ObjectDetailView):
    model = CameraRecord
    fields = ("kind", "device", "system", "site", "unit", "district", "position", "direction", "purpose",
              "effective_at", "approved_by_name", "reason", "recorded_by", "created_at")

    def extra_context(self, request, obj):
        return {"can_edit": False}


class CameraApprovedAdd(ObjectEditView):
    model = CameraRecord
    form_class = forms.CameraApprovedForm
    create_service = staticmethod(_camera_service(CameraRecordKind.APPROVED))
    create_roles = frozenset({Role.UNIT_USER, Role.ADMIN})


class CameraFoundAdd(ObjectEditView):
    model = CameraRecord
    form_class = forms.CameraFoundForm
    create_service = staticmethod(_camera_service(CameraRecordKind.FOUND))
    create_roles = frozenset({Role.UNIT_USER, *POLICE_AND_ADMIN})
