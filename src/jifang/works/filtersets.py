"""FilterSets for works, filings and networking notices, shared by the web UI and the API."""
import django_filters as df
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jifang.registry.filtersets import DISTRICT_CHOICES, IdFilter, SearchFilterSet

from . import models as m


class WorksFilterSet(SearchFilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    status = df.ChoiceFilter(choices=m.WorksStatus.choices, label=_("status"))
    kind = df.ChoiceFilter(choices=m.WorksKind.choices, label=_("works kind"))
    system = IdFilter(field_name="system_id", label=_("system id"))
    firm = IdFilter(field_name="firm_id", label=_("firm id"))
    unfiled = df.BooleanFilter(field_name="filed_on", lookup_expr="isnull", label=_("not filed"))
    search_fields = ("name", "main_project_name")
    exact_fields = ("code",)

    class Meta:
        model = m.Works
        fields = ["district", "status", "kind", "system", "firm"]


class FilingFilterSet(SearchFilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    received = df.BooleanFilter(field_name="received_at", lookup_expr="isnull", exclude=True, label=_("received"))
    on_time = df.BooleanFilter(method="filter_on_time", label=_("filed on time"))

    def filter_on_time(self, queryset, name, value):
        on_time = Q(filed_on__lte=F("due_on"))
        return queryset.filter(on_time) if value else queryset.exclude(on_time)
    exact_fields = ("receipt_number",)

    class Meta:
        model = m.Filing
        fields = ["district"]


class NoticeFilterSet(SearchFilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    status = df.ChoiceFilter(choices=m.NoticeStatus.choices, label=_("status"))
    basis = df.ChoiceFilter(choices=m.NoticeBasis.choices, label=_("legal basis"))
    exact_fields = ("number",)

    class Meta:
        model = m.NetworkingNotice
        fields = ["district", "status", "basis"]
