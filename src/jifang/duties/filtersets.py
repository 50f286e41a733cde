"""Filters of the duty records, shared by the pages and the API."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from jifang.registry.filtersets import DISTRICT_CHOICES, IdFilter

from . import models as m
from .camera import CameraBaseline, CameraRecord, CameraRecordKind
from . import selectors


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
    off_roster = df.BooleanFilter(method="filter_off_roster", label=_("user not on the watch roster"))

    class Meta:
        model = m.FootageUse
        fields = []

    def filter_off_roster(self, qs, name, value):
        """Entries whose user was (True) or was not (False) off the site's roster at the time."""
        if value is None:
            return qs
        off = selectors.off_roster(qs)
        return off if value else qs.exclude(pk__in=off.values("pk"))


def register_filterset(register) -> type[df.FilterSet]:
    """The filters of one of the unit's registers: district, unit, site, and its kind fields."""
    model = register.model
    attrs = {
        "district": df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district")),
        "unit": IdFilter(field_name="unit_id", label=_("unit")),
        "site": IdFilter(field_name="site_id", label=_("site")),
        **({"system": IdFilter(field_name="system_id", label=_("system"))} if register.by_system else {}),
        **{name: df.ChoiceFilter(choices=model._meta.get_field(name).choices,
                                 label=model._meta.get_field(name).verbose_name)
           for name in register.choice_filters},
        "Meta": type("Meta", (), {"model": model, "fields": []}),
    }
    return type(f"{model.__name__}FilterSet", (df.FilterSet,), attrs)


class CameraBaselineFilterSet(df.FilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    unit = IdFilter(field_name="unit_id", label=_("unit"))
    site = IdFilter(field_name="site_id", label=_("site"))
    system = IdFilter(field_name="system_id", label=_("system"))
    device = IdFilter(field_name="device_id", label=_("camera"))

    class Meta:
        model = CameraBaseline
        fields = []


class CameraRecordFilterSet(CameraBaselineFilterSet):
    kind = df.ChoiceFilter(choices=CameraRecordKind.choices, label=_("kind of record"))

    class Meta:
        model = CameraRecord
        fields = []
