"""FilterSets shared by the enforcement pages and the API."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from jifang.registry.filtersets import DISTRICT_CHOICES, IdFilter
from jifang.regulation.models import Finding

from . import models as m


class InspectionFilterSet(df.FilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    unit = IdFilter(field_name="unit_id", label=_("unit"))
    site = IdFilter(field_name="site_id", label=_("site"))
    kind = df.ChoiceFilter(choices=m.InspectionKind.choices, label=_("kind"))
    inspected_after = df.DateFilter(field_name="inspected_on", lookup_expr="gte", label=_("inspected from"))

    class Meta:
        model = m.Inspection
        fields = ["district", "kind"]


class OrderFilterSet(df.FilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    unit = IdFilter(field_name="unit_id", label=_("unit"))
    status = df.ChoiceFilter(choices=m.OrderStatus.choices, label=_("status"))
    deadline_after = df.DateFilter(field_name="deadline", lookup_expr="gte", label=_("deadline from"))
    deadline_before = df.DateFilter(field_name="deadline", lookup_expr="lte", label=_("deadline until"))
    open = df.BooleanFilter(method="filter_open", label=_("not yet closed"))

    def filter_open(self, queryset, name, value):
        pending = [m.OrderStatus.SERVED, m.OrderStatus.ANSWERED]
        return queryset.filter(status__in=pending) if value else queryset.exclude(status__in=pending)

    class Meta:
        model = m.RectificationOrder
        fields = ["district", "status"]


class CaseFilterSet(df.FilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    unit = IdFilter(field_name="unit_id", label=_("unit"))
    status = df.ChoiceFilter(choices=m.CaseStatus.choices, label=_("status"))
    article = df.ChoiceFilter(choices=[("art_24", "第二十四条"), ("art_25", "第二十五条")], label=_("penalty article"))
    decided_after = df.DateFilter(field_name="decision__decided_at__date", lookup_expr="gte", label=_("decided from"))
    decided_before = df.DateFilter(field_name="decision__decided_at__date", lookup_expr="lte", label=_("decided until"))

    class Meta:
        model = m.PenaltyCase
        fields = ["district", "status", "article"]


class AtOnceFilterSet(df.FilterSet):
    """The queue of violations awaiting a fine at once (views.AtOnceList)."""
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    unit = IdFilter(field_name="unit_id", label=_("unit"))
    site = IdFilter(field_name="site_id", label=_("site"))

    class Meta:
        model = Finding
        fields = ["district"]
