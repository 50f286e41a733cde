"""Pages of the duty records. Records are evidence: there are add pages and, for an outage, one
explanation; there are no edit pages (a footage register entry is corrected by a new entry)."""
from django.utils.translation import gettext_lazy as _

from jifang.core.actions import ServiceAction
from jifang.core.generic import ObjectDetailView, ObjectEditView, ObjectListView, Related
from jifang.core.scoping import can_write

from . import filtersets, forms, services
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

