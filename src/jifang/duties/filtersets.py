"""Filters of the duty records, shared by the pages and the API."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from jifang.registry.filtersets import DISTRICT_CHOICES, IdFilter

from . import models as m


class OutageFilterSet(df.FilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    unit = IdFilter(field_name="unit_id", label=_("unit"))
    site = IdFilter(field_name="site_id", label=_("site"))
    system = IdFilter(field_name="system_id", label=_("system"))
    device = IdFilter(field_name="device_id", label=_("device"))
    source = df.ChoiceFilter(choices=m.OutageSource.choices, label=_("recorded by"))
    cause = df.ChoiceFilter(choices=m.OutageCause.choices, label=_("cause"))
    ongoing = df.BooleanFilter(field_name="ended_at", lookup_expr="isnull", label=_("still interrupted"))

    class Meta:
        model = m.Outage
        fields = []


class FootageUseFilterSet(df.FilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    unit = IdFilter(field_name="unit_id", label=_("unit"))
    site = IdFilter(field_name="site_id", label=_("site"))
    system = IdFilter(field_name="system_id", label=_("system"))
    kind = df.ChoiceFilter(choices=m.FootageUseKind.choices, label=_("use"))

    class Meta:
        model = m.FootageUse
        fields = []
