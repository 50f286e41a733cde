"""Pages are declarations: the generic scoped views and core.actions."""
from django.utils.translation import gettext_lazy as _

from jifang.core.actions import ServiceAction
from jifang.core.generic import ObjectDetailView, ObjectListView

from . import filtersets, services
from . import models as m


class RecordList(ObjectListView):
    model = m.ExampleRecord
    filterset_class = filtersets.ExampleRecordFilterSet
    columns = ("number", "system", "unit", "district", "happened_on")
    create_roles = frozenset()


class RecordDetail(ObjectDetailView):
    model = m.ExampleRecord
    fields = ("number", "system", "site", "unit", "district", "happened_on", "confirmed_on")
    editable = False  # changed only by its services (the confirm button)


class RecordConfirm(ServiceAction):
    """A button on the record's page: POST, the record in scope, one service call, back to the page."""

    target, success = m.ExampleRecord, _("Confirmed.")

    def call(self, request, record, data):
        return services.record_confirm(actor=request.user, record=record)  # its refusal becomes the message
