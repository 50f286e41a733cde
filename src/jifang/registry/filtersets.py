"""One FilterSet per registry model, shared by the web UI and the API.

Filters on related rows take ids (IdFilter), never a ModelChoiceFilter: a select with 100,000
units would be rendered, and validated, on every page."""
import django_filters as df
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jifang.core.divisions import DISTRICTS, DISTRICTS_EN

from . import models as m



def DISTRICT_CHOICES():  # noqa: N802 - passed where a choices list goes; evaluated per form
    """The 14 districts by code, named in the page's language (五华区 / Wuhua District)."""
    names = DISTRICTS_EN if (get_language() or "").startswith("en") else DISTRICTS
    return sorted(names.items())

MAX_ID = 2**63 - 1


class IdFilter(df.NumberFilter):
    """A row id: a whole number in the range of a 64-bit key (anything else is a form error,
    not a database overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class SearchFilterSet(df.FilterSet):
    """`q`: a free-text search over the fields named in `search_fields` (exact for codes)."""

    q = df.CharFilter(method="search", label=_("Search"))
    search_fields: tuple = ()
    exact_fields: tuple = ()

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        cond = Q()
        for field in self.search_fields:
            cond |= Q(**{f"{field}__icontains": value})
        for field in self.exact_fields:
            cond |= Q(**{field: value.upper() if field == "credit_code" else value})
        return queryset.filter(cond)


class UnitFilterSet(SearchFilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    kind = df.ChoiceFilter(choices=m.UnitKind.choices, label=_("unit kind"))
    search_fields = ("name", "address")
    exact_fields = ("credit_code",)

    class Meta:
        model = m.Unit
        fields = ["district", "kind"]


class FirmFilterSet(SearchFilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    search_fields = ("name", "address")
    exact_fields = ("credit_code",)

    class Meta:
        model = m.Firm
        fields = ["district"]


class ProductFilterSet(SearchFilterSet):
    product_type = df.ChoiceFilter(choices=m.ProductType.choices, label=_("product type"))
    in_catalogue = df.BooleanFilter(label=_("in the national catalogue"))
    meets_standard = df.BooleanFilter(label=_("meets a standard"))
    search_fields = ("brand", "model")

    class Meta:
        model = m.Product
        fields = ["product_type", "in_catalogue", "meets_standard"]


class SiteFilterSet(SearchFilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    art6_point = df.ChoiceFilter(choices=m.Art6Point.choices, label=_("art. 6 category"))
    mandatory = df.BooleanFilter(field_name="art6_point", lookup_expr="isnull", exclude=True, label=_("system required by art. 6"))
    unit = IdFilter(field_name="unit_id", label=_("unit id"))
    has_system = df.BooleanFilter(method="filter_has_system", label=_("has a registered system"))
    search_fields = ("name", "address")
    exact_fields = ("code",)

    def filter_has_system(self, queryset, name, value):
        # EXISTS, not a join: a site with five systems must still appear once.
        has = Exists(m.SecuritySystem.objects.filter(site_id=OuterRef("pk")))
        return queryset.filter(has if value else ~has)

    class Meta:
        model = m.Site
        fields = ["district", "art6_point", "unit"]


class SitePartFilterSet(SearchFilterSet):
    site = IdFilter(field_name="site_id", label=_("site id"))
    area_kind = df.ChoiceFilter(choices=m.AreaKind.choices, label=_("area kind"))
    search_fields = ("name",)

    class Meta:
        model = m.SitePart
        fields = ["site", "area_kind"]


class SystemFilterSet(SearchFilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    status = df.ChoiceFilter(choices=m.SystemStatus.choices, label=_("status"))
    site = IdFilter(field_name="site_id", label=_("site id"))
    unit = IdFilter(field_name="unit_id", label=_("unit id"))
    firm = IdFilter(field_name="firm_id", label=_("firm id"))
    has_audio_video = df.BooleanFilter(label=_("audio-video subsystem"))
    police_connected = df.BooleanFilter(label=_("connected to the police platform"))
    accepted = df.BooleanFilter(method="filter_accepted", label=_("passed acceptance"))
    facts_missing = df.BooleanFilter(method="filter_facts_missing", label=_("facts missing"))
    search_fields = ("name",)
    exact_fields = ("code",)

    # Facts the rule engine needs and cannot judge without (it reports "undetermined").
    FACTS_MISSING = Q(reserved_interface__isnull=True) | Q(has_audio_video=True, retention_days__isnull=True)

    def filter_accepted(self, queryset, name, value):
        passed = Q(acceptance_result=m.AcceptanceResult.PASSED)
        return queryset.filter(passed) if value else queryset.exclude(passed)

    def filter_facts_missing(self, queryset, name, value):
        return queryset.filter(self.FACTS_MISSING) if value else queryset.exclude(self.FACTS_MISSING)

    class Meta:
        model = m.SecuritySystem
        fields = ["district", "status", "site", "unit", "firm", "has_audio_video", "police_connected"]


class DeviceFilterSet(SearchFilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    kind = df.ChoiceFilter(choices=m.DeviceKind.choices, label=_("device kind"))
    status = df.ChoiceFilter(choices=m.DeviceStatus.choices, label=_("status"))
    system = IdFilter(field_name="system_id", label=_("system id"))
    site = IdFilter(field_name="site_id", label=_("site id"))
    unit = IdFilter(field_name="unit_id", label=_("unit id"))
    product = IdFilter(field_name="product_id", label=_("product id"))
    part = IdFilter(field_name="part_id", label=_("part id"))
    search_fields = ("name",)
    exact_fields = ("serial", "gb28181_id")

    class Meta:
        model = m.Device
        fields = ["district", "kind", "status", "system", "site", "unit", "product"]
