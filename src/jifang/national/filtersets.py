"""Filters of the national records, shared by the pages and the API."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from jifang.registry.filtersets import DISTRICT_CHOICES, IdFilter

from . import models as m


class SystemFilingFilterSet(df.FilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    unit = IdFilter(field_name="unit_id", label=_("unit"))
    system = IdFilter(field_name="system_id", label=_("system"))
    status = df.ChoiceFilter(choices=m.FilingStatus.choices, label=_("status"))
    kind = df.ChoiceFilter(choices=m.FilingKind.choices, label=_("filing kind"))

    class Meta:
        model = m.SystemFiling
        fields = []


class PublicReportFilterSet(df.FilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    status = df.ChoiceFilter(choices=m.ReportStatus.choices, label=_("status"))
    kind = df.ChoiceFilter(choices=m.ReportKind.choices, label=_("what is reported"))

    class Meta:
        model = m.PublicReport
        fields = []


class ViewingRequestFilterSet(df.FilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    unit = IdFilter(field_name="unit_id", label=_("unit"))
    system = IdFilter(field_name="system_id", label=_("system"))
    status = df.ChoiceFilter(choices=m.ViewingStatus.choices, label=_("status"))

    class Meta:
        model = m.ViewingRequest
        fields = []
