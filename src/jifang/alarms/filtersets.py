"""FilterSets of the alarm centre, shared by the web UI and the API."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from jifang.registry.filtersets import DISTRICT_CHOICES, IdFilter, SearchFilterSet

from .codes import Category
from .models import AlarmAccount, AlarmEvent, Disposition, EventStatus, UnknownAccount


class EventFilterSet(SearchFilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    category = df.ChoiceFilter(choices=Category.choices, label=_("category"))
    status = df.ChoiceFilter(choices=EventStatus.choices, label=_("status"))
    disposition = df.ChoiceFilter(choices=Disposition.choices, label=_("disposition"))
    received_from = df.DateFilter(field_name="received_at", lookup_expr="date__gte", label=_("received from"))
    received_to = df.DateFilter(field_name="received_at", lookup_expr="date__lte", label=_("received until"))
    site = IdFilter(field_name="site_id", label=_("site id"))
    unit = IdFilter(field_name="unit_id", label=_("unit id"))
    device = IdFilter(field_name="device_id", label=_("panel id"))
    search_fields = ("label_zh", "label_en")
    exact_fields = ("code",)

    class Meta:
        model = AlarmEvent
        fields = ["district", "category", "status", "disposition", "site", "unit", "device"]


class AccountFilterSet(SearchFilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    in_trouble = df.BooleanFilter(field_name="trouble_since", lookup_expr="isnull", exclude=True,
                                  label=_("supervision lost"))
    exact_fields = ("account",)

    class Meta:
        model = AlarmAccount
        fields = ["district"]


class UnknownAccountFilterSet(SearchFilterSet):
    exact_fields = ("account",)

    class Meta:
        model = UnknownAccount
        fields = []
