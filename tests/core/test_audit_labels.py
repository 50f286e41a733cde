"""Every audit action a service can write reads as words on the history and audit pages, in Chinese
first (core.audit.action_label), never as its dotted name nor as the bare fallback "recorded".

The actions are found in the source, not listed by hand: every string constant shaped like an action
(`<app>.<record>.<verb>` of an installed app), the `f"..."` actions expanded over their values
(EXPANSIONS: a new dynamic action fails here until it is declared), and the generic paths of every
model (create/update/correct/history through core.services and the import, `<model>.<procedure>`
through procedure_write)."""
import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import translation

from jifang.core import audit, writes
from jifang.duties.camera import CameraRecordKind

SRC = Path(__file__).resolve().parents[2] / "src" / "jifang"
PREFIXES = {c.label for c in apps.get_app_configs() if c.name.startswith("jifang.")} | {"auth"}
ACTION = re.compile(r"^([a-z_]+)\.[a-z_]+\.[a-z_]+$")
NOT_ACTIONS = {"national.report.contact"}  # a core.secrets purpose, not an audit action
CJK = re.compile(r"[\u4e00-\u9fff]")

# alarms.services._save's verbs (one per step of an alarm event)
EVENT_VERBS = ("acknowledged", "verified", "dispatched", "closed")
# duties.services._register's registers: the numbered entries of the unit's duty registers
REGISTERS = [m for m in apps.get_app_config("duties").get_models()
             if {"number", "recorded_by"} <= {f.name for f in m._meta.get_fields()}]

# f-string actions, by their source text, and the values they take
EXPANSIONS = {
    'f"alarms.event.{verb}"': [f"alarms.event.{v}" for v in EVENT_VERBS],
    'f"duties.camera.{kind}"': [f"duties.camera.{k}" for k in CameraRecordKind.values],
    'f"duties.{model._meta.model_name}.recorded"': [f"duties.{m._meta.model_name}.recorded" for m in REGISTERS],
    'f"{action}.refused"': [],        # the refusals of the enforcement services: covered below
    'f"{label}.create"': [], 'f"{label}.update"': [], 'f"{label}.history"': [],    # generic paths, below
    'f"{model._meta.label_lower}.correct"': [],
    'f"{model._meta.label_lower}.create"': [], 'f"{model._meta.label_lower}.update"': [],
    'f"{model._meta.label_lower}.{procedure.key}"': [],
}


def _python_files():
    return [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]


def _literal_actions() -> set[str]:
    found = set()
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                m = ACTION.match(node.value)
                if m and m[1] in PREFIXES and node.value not in NOT_ACTIONS:
                    found.add(node.value)
    return found


def _dynamic_actions() -> tuple[set[str], set[str]]:
    """(expanded actions, f-string actions with no expansion)."""
    expanded, unknown = set(), set()
    for path in _python_files():
        source = path.read_text()
        for node in ast.walk(ast.parse(source, str(path))):
            if isinstance(node, ast.keyword) and node.arg == "action" and isinstance(node.value, ast.JoinedStr):
                text = ast.get_source_segment(source, node.value)
                if text in EXPANSIONS:
                    expanded.update(EXPANSIONS[text])
                else:
                    unknown.add(f"{path.relative_to(SRC)}: {text}")
    return expanded, unknown


def _procedures(model) -> set:
    declared = writes.declaration(model)
    rules = [*declared.fields.values(), *declared.on_create.values()]
    tiers = {t for r in rules for t in (r.tiers() if isinstance(r, writes.ByValue) else {r})}
    return {t.key for t in tiers if t.is_procedure}


def _generic_actions() -> set[str]:
    found = set()
    for model in apps.get_models():
        if not model.__module__.startswith("jifang.") or not hasattr(model, "scope"):
            continue
        label = model._meta.label_lower
        found.update(f"{label}.{verb}" for verb in ("create", "update", "correct", "history"))
        found.update(f"{label}.{key}" for key in _procedures(model))
    return found


def all_actions() -> set[str]:
    expanded, unknown = _dynamic_actions()
    assert not unknown, f"declare how these actions expand in EXPANSIONS: {sorted(unknown)}"
    return _literal_actions() | expanded | _generic_actions()


def test_the_source_scan_finds_the_actions_it_should():
    actions = all_actions()
    for known in ("enforcement.penalty.notice", "national.filing.submit", "alarms.event.acknowledged",
                  "duties.maintenancerecord.recorded", "registry.site.correct", "registry.securitysystem.acceptance"):
        assert known in actions, known
    assert "national.report.contact" not in actions


def _bare(action: str) -> bool:
    with translation.override("en"):
        fallback = str(audit.action_label("x.y.nothing_like_it"))
        return audit.action_label(action) == fallback or "." in audit.action_label(action)


def test_every_action_a_service_can_write_has_a_label():
    bare = sorted(a for a in all_actions() if _bare(a))
    assert not bare, f"actions without a label (core.audit.label_actions in the app's ready()): {bare}"


def test_labels_are_chinese_first_and_refusals_say_so():
    with translation.override("zh-hans"):
        missing = sorted(a for a in all_actions() if not CJK.search(audit.action_label(a)))
        assert not missing, f"labels without a Chinese translation: {missing}"
        assert "被拒绝" in audit.action_label("enforcement.penalty.notice.refused")
        # a refusal the record itself is about (a viewing refused by the manager) is no refused call
        assert "被拒绝" not in audit.action_label("national.viewing.refused")
