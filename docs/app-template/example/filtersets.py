"""One FilterSet per list, shared by the page and the API (document the filters in docs/api.md)."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from jifang.registry.filtersets import DISTRICT_CHOICES, IdFilter

from . import models as m


class ExampleRecordFilterSet(df.FilterSet):
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    unit = IdFilter(field_name="unit_id", label=_("unit"))
    happened_after = df.DateFilter(field_name="happened_on", lookup_expr="gte", label=_("from"))

    class Meta:
        model = m.ExampleRecord
        fields = ["district"]
