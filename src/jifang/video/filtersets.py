"""FilterSets shared by the video pages and the API."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from jifang.registry.filtersets import DISTRICT_CHOICES, IdFilter

from . import models as m


class EndpointFilterSet(df.FilterSet):
    online = df.BooleanFilter(label=_("online"))
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    unit = IdFilter(field_name="unit_id", label=_("unit"))
    system = IdFilter(field_name="system_id", label=_("system"))
    q = df.CharFilter(field_name="gb28181_id", lookup_expr="startswith", label=_("GB/T 28181 ID"))

    class Meta:
        model = m.Endpoint
        fields = ["online", "district", "unit", "system", "q"]


class ChannelFilterSet(df.FilterSet):
    new = df.BooleanFilter(field_name="device", lookup_expr="isnull", label=_("new (not yet accepted)"))
    unit = IdFilter(field_name="unit_id", label=_("unit"))
    endpoint = IdFilter(field_name="endpoint_id", label=_("video endpoint"))

    class Meta:
        model = m.Channel
        fields = ["new", "unit", "endpoint"]


class UnknownDeviceFilterSet(df.FilterSet):
    q = df.CharFilter(field_name="gb28181_id", lookup_expr="startswith", label=_("GB/T 28181 ID"))

    class Meta:
        model = m.UnknownDevice
        fields = ["q"]


class RetentionProofFilterSet(df.FilterSet):
    outcome = df.ChoiceFilter(choices=m.ProofOutcome.choices, label=_("outcome"))
    system = IdFilter(field_name="system_id", label=_("system"))
    device = IdFilter(field_name="device_id", label=_("device"))

    class Meta:
        model = m.RetentionProof
        fields = ["outcome", "system", "device"]
