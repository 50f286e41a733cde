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
