"""Template filters over regulation.labels: {{ clause_id|clause }}, {{ "art_25"|article }},
{{ rule_id|rule_title }}, {{ fine.target|fine_target }}, {{ fine.unit_kind|unit_kind }},
{{ sanction|first_measure }}."""
from django import template

from jifang.regulation import labels

register = template.Library()
register.filter("clause", labels.clause_label)
register.filter("article", labels.article_label)
register.filter("rule_title", labels.rule_title)
register.filter("fine_target", labels.target_label)
register.filter("unit_kind", labels.unit_kind_label)
register.filter("first_measure", labels.first_measure)
register.filter("measure", labels.measure_label)
register.filter("fine_range", labels.fine_range)
register.filter("pack_title", labels.pack_title)
register.filter("pack_level", labels.level_label)


@register.filter
def clause_in(clause_id: str, pack_id: str) -> str:
    """{{ clause_id|clause_in:pack.id }}: the label in that pack (both laws have an art_7)."""
    return labels.clause_label(clause_id, pack_id=pack_id)
