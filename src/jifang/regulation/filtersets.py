"""Findings filters, shared by the web list and /api/findings/. Site and unit filters take ids, so
a site's or a unit's page can link to /regulation/findings/?site=ID or ?unit=ID."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from jifang.registry.filtersets import DISTRICT_CHOICES, IdFilter
from jifang.registry.models import Art6Point

from . import labels
from . import models as m
from .coverage import KUNMING
from .packs import all_packs


def _clause_choices():
    """Every pack's clauses (the Kunming order's first); a clause id both laws use (art_7__para_1) is
    offered once and narrowed by the pack filter."""
    seen, out = set(), []
    for pack in sorted(all_packs(), key=lambda p: p.id != KUNMING):
        for c in pack.clauses.values():
            if c.id not in seen:
                seen.add(c.id)
                out.append((c.id, labels.clause_label(c.id, pack_id=pack.id)))
    return out


def _pack_choices():
    return [(p.id, labels.pack_title(p.id)) for p in sorted(all_packs(), key=lambda p: (p.rank, p.id))]


def _rule_choices():
    rules = sorted({r.id for pack in all_packs() for r in pack.rules})
    return [(r, labels.rule_title(r)) for r in rules] + [(labels.MANUAL_RULE, labels.rule_title(labels.MANUAL_RULE))]


class FindingFilterSet(df.FilterSet):
    # Callables: the choices are read from the loaded packs each time a form iterates them (a
    # field built once, e.g. by the schema generator, still sees packs loaded later).
    clause = df.ChoiceFilter(field_name="clause_id", choices=_clause_choices, label=_("clause"))
    rule = df.ChoiceFilter(field_name="rule_id", choices=_rule_choices, label=_("rule"))
    status = df.ChoiceFilter(choices=m.FindingStatus.choices, label=_("status"))
    stage = df.ChoiceFilter(choices=m.Stage.choices, label=_("stage"))
    outcome = df.ChoiceFilter(choices=m.Outcome.choices, label=_("outcome"))
    district = df.ChoiceFilter(field_name="district_id", choices=DISTRICT_CHOICES, label=_("district"))
    art6_point = df.ChoiceFilter(field_name="site__art6_point", choices=Art6Point.choices, label=_("art. 6 category"))
    pack = df.ChoiceFilter(field_name="pack_id", choices=_pack_choices, label=_("rule pack"))
    site = IdFilter(field_name="site_id", label=_("site id"))
    unit = IdFilter(field_name="unit_id", label=_("unit id"))
    subject = df.CharFilter(field_name="subject_key", label=_("subject"))
    first_seen_after = df.DateFilter(field_name="first_seen", lookup_expr="gte", label=_("first seen from"))
    first_seen_before = df.DateFilter(field_name="first_seen", lookup_expr="lte", label=_("first seen until"))

    class Meta:
        model = m.Finding
        fields = ["clause", "rule", "status", "stage", "outcome", "district", "art6_point", "pack", "site", "unit"]
