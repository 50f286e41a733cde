"""Traceability: from every clause of a pack to the rules and tests that carry it out.

Service-level refusals are found the same way in src/jifang: every `ServiceError(..., clause="art_14__para_2")`
(or `require(..., clause=...)`) with a literal clause id is listed beside the rules of that clause, named
by module and function. A refusal whose clause is computed (a finding's own clause) is not listed.

Tests are found by reading tests/ with `ast` (nothing is imported or run): a test proves a clause
with @pytest.mark.clause("art_19__para_1") and exercises a rule with
@pytest.mark.rule("art19-retention-below-minimum", "violating"|"compliant"|"boundary"). Marks inside
pytest.param(..., marks=...) count for that test as well.
"""
import ast
from dataclasses import dataclass, field
from pathlib import Path

import jifang

from . import packs as packs_mod
from .loader import CLASSES

KUNMING = "cn-530100-order-2012-116"
RULE_TEST_KINDS = ("violating", "compliant", "boundary")
STATUSES = ("implemented", "planned", "not_applicable")


def default_tests_dir() -> Path:
    return Path(jifang.__file__).resolve().parents[2] / "tests"


@dataclass
class Marks:
    clauses: dict = field(default_factory=dict)   # clause id -> [test ids]
    rules: dict = field(default_factory=dict)     # rule id -> {kind: [test ids]}


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "string" assignments, so marks may use named rule ids."""
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            out.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
    return out


def _arg(node, constants: dict):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return None  # an f-string (e.g. one clause per parametrized point) is resolved by hand below
    return constants.get(node.id) if isinstance(node, ast.Name) else None


def _mark_calls(node, constants: dict):
    """(name, args) for each pytest.mark.<name>(...) call in a decorator subtree."""
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
            owner = call.func.value
            if isinstance(owner, ast.Attribute) and owner.attr == "mark":
                args = [a for a in (_arg(x, constants) for x in call.args) if a is not None]
                yield call.func.attr, args


def _tests_in(tree: ast.Module):
    """(test name, decorator nodes incl. module and class pytestmark) for each test function."""
    def module_marks(body):
        return [n.value for n in body if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in n.targets)]

    base = module_marks(tree.body)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            yield node.name, base + node.decorator_list
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            cls_marks = base + node.decorator_list + module_marks(node.body)
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name.startswith("test"):
                    yield f"{node.name}::{item.name}", cls_marks + item.decorator_list


def collect_marks(tests_dir: Path | None = None) -> Marks:
    tests_dir = tests_dir or default_tests_dir()
    marks = Marks()
    root = tests_dir.parent
    for path in sorted(tests_dir.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        constants = _constants(tree)
        for name, decorators in _tests_in(tree):
            test_id = f"{path.relative_to(root).as_posix()}::{name}"
            for deco in decorators:
                for mark, args in _mark_calls(deco, constants):
                    if mark == "clause":
                        for clause in args:
                            marks.clauses.setdefault(clause, []).append(test_id)
                    elif mark == "rule" and args:
                        kind = args[1] if len(args) > 1 else ""
                        marks.rules.setdefault(args[0], {}).setdefault(kind, []).append(test_id)
    for lists in [marks.clauses, *marks.rules.values()]:
        for key in lists:
            lists[key] = sorted(set(lists[key]))
    return marks


REFUSAL_CALLS = {"ServiceError", "require"}


def default_src_dir() -> Path:
    return Path(jifang.__file__).resolve().parent


def _refusals_in(tree: ast.Module, module: str):
    """(clause id, "module::function") for each refusal with a literal clause, innermost function named."""
    def visit(node, where):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from visit(child, child.name)
                continue
            if isinstance(child, ast.Call):
                name = getattr(child.func, "id", None) or getattr(child.func, "attr", None)
                for kw in child.keywords:
                    if (name in REFUSAL_CALLS and kw.arg == "clause" and isinstance(kw.value, ast.Constant)
                            and isinstance(kw.value.value, str)):
                        yield kw.value.value, f"{module}::{where}"
            yield from visit(child, where)

    yield from visit(tree, "<module>")


def collect_refusals(src_dir: Path | None = None) -> dict[str, list[str]]:
    """clause id -> the services (and import hooks) that refuse an action citing it."""
    src_dir = src_dir or default_src_dir()
    found: dict[str, set] = {}
    for path in sorted(src_dir.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = path.relative_to(src_dir.parent).with_suffix("").as_posix().replace("/", ".")
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for clause, where in _refusals_in(tree, module):
            found.setdefault(clause, set()).add(where)
    return {clause: sorted(places) for clause, places in found.items()}


def _status(clause, rules: list, tests: list) -> tuple[str, str]:
    if clause.cls == "declarative":
        return "not_applicable", clause.reason.get("en", "")
    if clause.cls == "check" or clause.soft_check and rules:
        return ("implemented", "") if rules else ("planned", "no rule yet on the data this needs")
    if tests:
        return "implemented", ""
    if clause.cls in ("scope", "validity"):
        return "not_applicable", clause.reason.get("en", "")
    return "planned", f"no test marks this {clause.cls} clause yet"


def clause_tests(marks: Marks, pack_id: str, clause_id: str) -> list[str]:
    """Tests marked for a clause of this pack: `cn-order-2025-799#art_8__para_1__point_1` for any pack;
    a bare clause id (the marks written before a second pack existed) counts for the Kunming order only,
    since both laws number an art_7, an art_13..."""
    tests = marks.clauses.get(f"{pack_id}#{clause_id}", [])
    if pack_id == KUNMING:
        tests = sorted(set(tests) | set(marks.clauses.get(clause_id, [])))
    return tests


def report(pack_id: str = KUNMING, tests_dir: Path | None = None, marks: Marks | None = None) -> dict:
    pack = packs_mod.get_pack(pack_id)
    marks = marks or collect_marks(tests_dir)
    # Refusals cite bare clause ids, which are the Kunming order's (both laws number an art_7...).
    refusals = collect_refusals() if pack.id == KUNMING else {}
    rules_by_clause: dict[str, list] = {}
    for rule in pack.rules:
        for cid in rule.clauses:
            rules_by_clause.setdefault(cid, []).append(rule.id)
    clauses = []
    for c in pack.clauses.values():
        rules, tests = rules_by_clause.get(c.id, []), clause_tests(marks, pack.id, c.id)
        status, reason = _status(c, rules, tests)
        clauses.append({"id": c.id, "label_zh": c.label_zh, "class": c.cls, "also": list(c.also),
                        "penalty_article": c.penalty_article, "rules": rules,
                        "refusals": refusals.get(c.id, []), "tests": tests,
                        "status": status, "reason": reason})
    rules = [{"id": r.id, "file": r.file, "subject": r.subject, "clauses": list(r.clauses),
              "tests": {k: marks.rules.get(r.id, {}).get(k, []) for k in RULE_TEST_KINDS}} for r in pack.rules]
    return {"pack": {"id": pack.id, "version": pack.version, "checksum": pack.checksum},
            "clauses": clauses, "rules": rules, "problems": problems(pack, marks, refusals)}


def problems(pack, marks: Marks, refusals: dict | None = None) -> list[str]:
    """What CI refuses: see docs/traceability.md."""
    out = []
    known_clauses = {cid for p in packs_mod.all_packs() for cid in p.clauses}
    for clause, places in sorted((refusals or {}).items()):
        if clause not in known_clauses:
            out.append(f"refusal in {', '.join(places)} cites clause {clause}, in no loaded pack")
    for c in pack.clauses.values():
        if c.cls not in CLASSES:
            out.append(f"{c.id}: unclassified")
    for rule in pack.rules:
        for cid in rule.clauses:
            clause = pack.clauses.get(cid)
            if clause is None:
                out.append(f"rule {rule.id}: cites missing clause {cid}")
            elif clause.cls == "declarative":
                out.append(f"rule {rule.id}: cites declarative clause {cid}")
        have = marks.rules.get(rule.id, {})
        missing = [k for k in RULE_TEST_KINDS if not have.get(k)]
        if missing:
            out.append(f"rule {rule.id}: no {', '.join(missing)} test")
    known_rules = {r.id for p in packs_mod.all_packs() for r in p.rules}
    for rule_id in marks.rules:
        if rule_id not in known_rules:
            out.append(f"tests mark unknown rule {rule_id}")
    for kinds in marks.rules.values():
        for kind in kinds:
            if kind not in RULE_TEST_KINDS:
                out.append(f"tests mark rule kind {kind!r}, not one of {RULE_TEST_KINDS}")
    return out


def report_all(tests_dir: Path | None = None) -> list[dict]:
    """Every loaded pack's report, the Kunming order first (marks are read once)."""
    marks = collect_marks(tests_dir)
    ids = sorted((p.id for p in packs_mod.all_packs()), key=lambda i: (i != KUNMING, i))
    return [report(i, marks=marks) for i in ids]


def render_all(reports: list[dict]) -> str:
    """docs/traceability.md: one section per pack."""
    head = ("# Traceability: clause -> rules -> tests\n\n"
            "Generated by `jifang regulation coverage --format md` (`make traceability`); do not edit by hand.\n"
            "One section per rule pack. Tests prove a clause of a pack with "
            "`@pytest.mark.clause(\"<pack-id>#<clause-id>\")`;\n"
            "a bare clause id counts for the Kunming order (cn-530100-order-2012-116) only.\n")
    body = [render_md(r).replace("# Traceability: clause -> rules -> tests", f"## {r['pack']['id']}", 1)
            .replace("\n## Rules and their tests", "\n### Rules and their tests")
            .replace("\n## Problems", "\n### Problems") for r in reports]
    return head + "\n" + "\n".join(body)


def render_md(data: dict) -> str:
    p = data["pack"]
    counts = {s: sum(1 for c in data["clauses"] if c["status"] == s) for s in STATUSES}
    lines = [
        "# Traceability: clause -> rules -> tests",
        "",
        "Generated by `jifang regulation coverage --format md` (`make traceability`); do not edit by hand.",
        "tests/regulation/test_traceability.py fails when this file is stale, when a clause is unclassified,",
        "when a rule cites a missing or declarative clause, or when a rule lacks a violating, a compliant and",
        "a boundary test. \"Refused by services\" lists each `ServiceError(..., clause=...)` citing the clause",
        "(module::function): the refusals that enforce it at the moment of the action, beside the rules that",
        "find it in the data afterwards.",
        "",
        f"Pack `{p['id']}` version {p['version']}; {len(data['clauses'])} clauses: "
        + ", ".join(f"{counts[s]} {s.replace('_', ' ')}" for s in STATUSES) + ".",
        "",
        "| clause | label | class | penalty | rules | refused by services | tests | status |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in data["clauses"]:
        klass = c["class"] + (" + " + ", ".join(c["also"]) if c["also"] else "")
        tests = "<br>".join(f"`{t}`" for t in c["tests"]) or ""
        status = c["status"].replace("_", " ") + (f": {c['reason']}" if c["reason"] else "")
        lines.append(f"| `{c['id']}` | {c['label_zh']} | {klass} | {c['penalty_article'] or ''} | "
                     f"{', '.join(f'`{r}`' for r in c['rules'])} | {'<br>'.join(f'`{r}`' for r in c['refusals'])} | "
                     f"{tests} | {status} |")
    lines += ["", "## Rules and their tests", "", "| rule | file | subject | clauses | violating | compliant | boundary |",
              "|---|---|---|---|---|---|---|"]
    for r in data["rules"]:
        cells = [str(len(r["tests"][k])) for k in RULE_TEST_KINDS]
        lines.append(f"| `{r['id']}` | {r['file']} | {r['subject']} | {', '.join(r['clauses'])} | " + " | ".join(cells) + " |")
    lines += ["", "## Problems", ""]
    lines += [f"- {x}" for x in data["problems"]] or ["None."]
    return "\n".join(lines) + "\n"
