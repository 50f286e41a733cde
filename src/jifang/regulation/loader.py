"""Rule packs: a law as a directory of YAML, validated when loaded.

A pack is data. It is read with `yaml.safe_load` (no object construction), a directory holding
anything but YAML and text is refused (a pack ships no Python, so loading one runs no code), the
source text must match its recorded sha256, the sanctions table must have no gap or overlap, and
every lookup a rule uses is checked against the subject's model. A broken pack fails loudly at load
time, naming the file and the entry, instead of producing wrong findings later.
"""
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import FieldDoesNotExist

from . import subjects

CLAUSE_ID = re.compile(r"^art_\d+__para_\d+(__point_\d+)?$")
RULE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,62}$")
CLASSES = {"check", "workflow", "record", "scope", "penalty", "validity", "declarative"}
NEEDS_REASON = {"declarative", "scope", "validity"}
TARGETS = {"individual", "unit", "person_in_charge", "person_directly_responsible"}
UNIT_KINDS = {"business", "non_business"}
# Non-monetary outcomes of a sanction (order 799 art. 26-30), first-class beside the fines; `when`:
# with the first measure, or once the order to correct is refused (拒不改正).
MEASURES = {"confiscate_equipment", "delete_footage", "warning", "refer_to_licensing_authority"}
MEASURE_WHEN = {"first", "refused"}
# The rank of a pack's law in the hierarchy of the Legislation Law (立法法): where two packs judge the same
# fact, the finding of the higher law is marked as prevailing. Lower number = higher law.
LEVELS = {"law": 1, "administrative_regulation": 2, "local_regulation": 3, "local_government_rule": 4}
ALLOWED_SUFFIXES = {".yaml", ".yml", ".txt", ".md"}
RULE_KEYS = {"id", "title", "clauses", "subject", "where", "exclude", "undetermined_when", "facts", "message", "clause_by",
             "after_period", "outcome"}
RULE_OUTCOMES = {"violation", "advice"}


class PackError(Exception):
    """A pack that cannot be used, with the file and entry at fault."""


@dataclass(frozen=True)
class Clause:
    id: str
    label_zh: str
    text_zh: str
    cls: str
    penalty_article: str | None
    reason: dict = field(default_factory=dict)
    also: tuple = ()
    soft_check: bool = False

    def __getitem__(self, name):
        return self.cls if name == "class" else getattr(self, name)

    def excerpt(self, length: int = 80) -> str:
        return self.text_zh if len(self.text_zh) <= length else self.text_zh[: length - 1] + "…"


@dataclass(frozen=True)
class Rule:
    id: str
    clauses: tuple
    subject: str
    where: dict
    exclude: dict
    undetermined_when: dict
    facts: tuple
    message: dict
    clause_by: dict | None
    file: str
    title: dict = field(default_factory=dict)  # {zh, en}: what people read instead of the id
    # {from: value, days: value}: the rule finds nothing until this period has ended before the
    # as-of day (a transition period of the law, order 799 art. 14: docs/rule-packs.md)
    after_period: dict = field(default_factory=dict)
    outcome: str = "violation"  # "advice": a soft check, never a violation (docs/rule-packs.md, "Advice")

    @property
    def advice(self) -> bool:
        return self.outcome == "advice"


@dataclass
class Pack:
    id: str
    meta: dict
    directory: Path
    checksum: str
    clauses: dict
    params: dict
    sanctions: dict          # article ("art_24") -> entry
    rules: list

    @property
    def version(self) -> str:
        return str(self.meta["version"])

    @property
    def effective_from(self) -> dt.date:
        return self.meta["effective_from"]

    @property
    def effective_to(self) -> dt.date | None:
        return self.meta.get("effective_to")

    @property
    def jurisdiction_prefix(self) -> str:
        return str(self.meta["jurisdiction_prefix"])

    @property
    def rank(self) -> int:
        """Lower is higher law; a pack that states no level ranks below every stated one."""
        return LEVELS.get(self.meta.get("level"), len(LEVELS) + 1)

    def in_force(self, as_of: dt.date) -> bool:
        return self.effective_from <= as_of and (self.effective_to is None or as_of < self.effective_to)

    def covers(self, district_code: str | None) -> bool:
        if not district_code:
            return True
        prefix = self.jurisdiction_prefix
        return district_code.startswith(prefix) or prefix.startswith(district_code)

    def clause(self, clause_id: str) -> Clause:
        try:
            return self.clauses[clause_id]
        except KeyError:
            raise PackError(f"{self.id}: no clause {clause_id!r}") from None

    def param_entry(self, name: str, as_of: dt.date) -> dict:
        for entry in self.params.get(name, ()):
            if entry["valid_from"] <= as_of and (entry.get("valid_to") is None or as_of < entry["valid_to"]):
                return entry
        raise PackError(f"{self.id}: parameter {name!r} has no value valid on {as_of}")

    def param(self, name: str, as_of: dt.date):
        return self.param_entry(name, as_of)["value"]

    def sanction_for(self, clause_id: str, unit_kind: str | None = None) -> dict:
        """The sanction path for a clause, as stored in Finding.sanction; {} when it has no penalty.
        A known unit kind narrows the fines to its range; an unknown one keeps every range, since
        guessing would put the wrong range in front of the officer."""
        article = self.clause(clause_id).penalty_article
        if not article:
            return {}
        entry = self.sanctions[article]
        fines = [dict(f) for f in entry["fines"]]
        if unit_kind in UNIT_KINDS:
            fines = [f for f in fines if f["unit_kind"] in (unit_kind, "any")]
        return {
            "article": article,
            "clause": entry["clause"],
            "label_zh": entry["label_zh"],
            "first_measure": entry["first_measure"],
            "first_measure_en": entry.get("first_measure_en", ""),
            "order_first": entry.get("order_first", True),
            "measures": [dict(m) for m in entry.get("measures") or ()],
            "fines": fines,
        }

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise PackError(f"{self.id}: no rule {rule_id!r}")


# ---- reading -------------------------------------------------------------------------------------

def _read_yaml(path: Path):
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise PackError(f"{path}: invalid YAML: {exc}") from None
    except OSError as exc:
        raise PackError(f"{path}: cannot read: {exc}") from None


def _require(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise PackError(f"{where}: {message}")


def _files(directory: Path) -> list[Path]:
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    for p in files:
        _require(p.suffix in ALLOWED_SUFFIXES, str(p), "a rule pack holds only YAML and text, never code")
    return files


def pack_checksum(directory: Path) -> str:
    """sha256 over every file of the pack (relative path and bytes): findings record it, so a
    finding can be traced to the exact rules and text it was made under."""
    digest = hashlib.sha256()
    for p in _files(directory):
        digest.update(p.relative_to(directory).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return digest.hexdigest()


def _check_meta(meta, directory: Path) -> None:
    where = str(directory / "pack.yaml")
    _require(isinstance(meta, dict), where, "must be a mapping")
    for key in ("id", "title_zh", "effective_from", "jurisdiction_prefix", "version", "source"):
        _require(key in meta, where, f"missing {key!r}")
    _require(meta["id"] == directory.name, where, f"id {meta['id']!r} differs from the directory {directory.name!r}")
    _require(isinstance(meta["effective_from"], dt.date), where, "effective_from must be a date")
    _require(meta.get("level") in (None, *LEVELS), where, f"level must be one of {sorted(LEVELS)}")
    to = meta.get("effective_to")
    _require(to is None or (isinstance(to, dt.date) and to > meta["effective_from"]), where,
             "effective_to must be a date after effective_from")
    # "" is nationwide (the 2025 national regulation); otherwise the leading digits of a division code
    _require(re.fullmatch(r"(\d{2,6})?", str(meta["jurisdiction_prefix"])) is not None, where,
             "jurisdiction_prefix must be empty (nationwide) or 2-6 digits of a division code")
    source = meta["source"]
    _require(isinstance(source, dict) and "file" in source and "sha256" in source, where, "source needs file and sha256")
    path = directory / source["file"]
    _require(path.is_file(), where, f"source file {source['file']!r} missing")
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    _require(actual == source["sha256"], where, f"source text checksum mismatch (file {actual}, recorded {source['sha256']})")


def _check_clauses(raw, where: str) -> dict:
    _require(isinstance(raw, list) and raw, where, "must be a non-empty list of clauses")
    clauses = {}
    for i, c in enumerate(raw):
        at = f"{where}[{i}]"
        _require(isinstance(c, dict), at, "must be a mapping")
        for key in ("id", "label_zh", "text_zh", "class"):
            _require(c.get(key), at, f"missing {key!r}")
        cid = c["id"]
        _require(CLAUSE_ID.match(cid) is not None, at, f"bad clause id {cid!r}")
        _require(cid not in clauses, at, f"duplicate clause {cid!r}")
        _require(c["class"] in CLASSES, at, f"{cid}: class {c['class']!r} is not one of {sorted(CLASSES)}")
        _require(c["class"] not in NEEDS_REASON or c.get("reason"), at, f"{cid}: a {c['class']} clause needs a reason")
        clauses[cid] = Clause(cid, c["label_zh"], c["text_zh"], c["class"], c.get("penalty_article"),
                              c.get("reason") or {}, tuple(c.get("also") or ()), bool(c.get("soft_check")))
    return clauses


def _check_params(raw, where: str, clauses: dict) -> dict:
    raw = raw or {}
    _require(isinstance(raw, dict), where, "must map names to dated values")
    for name, entries in raw.items():
        at = f"{where}:{name}"
        _require(isinstance(entries, list) and entries, at, "needs a list of dated values")
        for e in entries:
            _require(isinstance(e, dict) and "value" in e and isinstance(e.get("valid_from"), dt.date), at,
                     "each value needs value and a valid_from date")
            _require(e.get("clause") in clauses, at, f"cites unknown clause {e.get('clause')!r}")
        spans = sorted(entries, key=lambda e: e["valid_from"])
        for a, b in zip(spans, spans[1:]):
            _require(a.get("valid_to") is not None and a["valid_to"] <= b["valid_from"], at, "dated values overlap")
    return raw


def _check_fines(fines, at: str) -> None:
    """Validates the fines and completes them in place: a missing unit_kind is "any"; an "up to"
    range (以下, only `max` given) becomes min 0 with up_to: true, so every consumer reads min-max."""
    _require(isinstance(fines, list) and fines, at, "needs fines")
    by_target: dict[str, list[str]] = {}
    for f in fines:
        _require(isinstance(f, dict) and f.get("target") in TARGETS, at, f"fine target must be one of {sorted(TARGETS)}")
        f.setdefault("unit_kind", "any")
        if "min" not in f:
            f["min"], f["up_to"] = 0, True
        _require(f.get("unit_kind") in UNIT_KINDS | {"any"}, at, "unit_kind must be business, non_business or any")
        _require(isinstance(f.get("min"), int) and isinstance(f.get("max"), int) and 0 <= f["min"] <= f["max"], at,
                 f"{f['target']}/{f['unit_kind']}: min and max must be whole yuan with min <= max")
        by_target.setdefault(f["target"], []).append(f["unit_kind"])
    for target, kinds in by_target.items():
        _require(len(kinds) == len(set(kinds)) and not ("any" in kinds and len(kinds) > 1), at,
                 f"{target}: overlapping ranges for one unit kind")
        _require(kinds == ["any"] or set(kinds) == UNIT_KINDS, at,
                 f"{target}: a gap, no range for {sorted(UNIT_KINDS - set(kinds))}")


def _check_measures(entry: dict, at: str) -> None:
    _require(isinstance(entry.get("order_first", True), bool), at, "order_first must be true or false")
    measures = entry.get("measures") or []
    _require(isinstance(measures, list), at, "measures must be a list")
    for m in measures:
        _require(isinstance(m, dict) and m.get("measure") in MEASURES, at, f"a measure must be one of {sorted(MEASURES)}")
        _require(m.get("when") in MEASURE_WHEN, at, f"{m['measure']}: when must be one of {sorted(MEASURE_WHEN)}")


def _check_sanctions(raw, where: str, clauses: dict) -> dict:
    raw = raw or {}
    _require(isinstance(raw, dict), where, "must map penalty clauses to sanctions")
    by_article, cited = {}, {}
    for clause_id, entry in raw.items():
        at = f"{where}:{clause_id}"
        _require(clause_id in clauses and clauses[clause_id].cls == "penalty", at, "must be a penalty clause of the pack")
        for key in ("article", "label_zh", "first_measure", "violations", "fines"):
            _require(key in entry, at, f"missing {key!r}")
        _check_fines(entry["fines"], at)
        _check_measures(entry, at)
        for v in entry["violations"]:
            _require(v in clauses, at, f"violation cites unknown clause {v!r}")
            _require(v not in cited, at, f"{v} is punished under two articles ({cited.get(v)})")
            _require(clauses[v].penalty_article == entry["article"], at,
                     f"{v} names penalty_article {clauses[v].penalty_article!r}, not {entry['article']!r}")
            cited[v] = entry["article"]
        by_article[entry["article"]] = {**entry, "clause": clause_id}
    for c in clauses.values():
        _require(c.penalty_article is None or c.id in cited, where,
                 f"{c.id} names penalty_article {c.penalty_article!r} but no sanction lists it")
    return by_article


# ---- rules ---------------------------------------------------------------------------------------

def _resolve(model, path: str, *, allow_lookup: bool) -> None:
    """Walk `path` (a__b__lookup) over the model's fields; raise FieldDoesNotExist or ValueError."""
    parts = path.split("__")
    current = model
    fld = None
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if last and allow_lookup and fld is not None and fld.get_lookup(part) is not None:
            if current is None or part not in {f.name for f in current._meta.get_fields()}:
                return
        if current is None:
            raise FieldDoesNotExist(f"{path}: {parts[i - 1]} is not a relation")
        fld = current._meta.pk if part == "pk" else current._meta.get_field(part)
        current = fld.related_model if fld.is_relation else None


def _check_value(value, at: str, params: dict, model, subject_model=None) -> None:
    """`subject_model` is the subject's model when `value` compares a record (subjects.register_records)
    with its subject's row: only there may a value be `{subject_field: NAME}`."""
    if isinstance(value, dict):
        _require(len(value) >= 1, at, "empty value")
        if "subject_field" in value:
            _require(subject_model is not None, at, "{subject_field} compares a subject's records with the subject: "
                     "use it in lookups over records (elsewhere {field} names the subject's column)")
            _require(len(value) == 1, at, "{subject_field} takes no other key")
            try:
                _resolve(subject_model, value["subject_field"], allow_lookup=False)
            except FieldDoesNotExist:
                raise PackError(f"{at}: unknown subject field {value['subject_field']!r}") from None
        elif "param" in value:
            _require(value["param"] in params, at, f"unknown parameter {value['param']!r}")
        elif "as_of_minus_days" in value or "as_of_minus_minutes" in value:
            _check_value(value.get("as_of_minus_days", value.get("as_of_minus_minutes")), at, params, model)
        elif "as_of_minus_period" in value:
            _check_value(value["as_of_minus_period"], at, params, model)
        elif "field" in value:
            try:
                _resolve(model, value["field"], allow_lookup=False)
            except FieldDoesNotExist:
                raise PackError(f"{at}: unknown field {value['field']!r}") from None
            _require(not {"plus_days", "plus_minutes"} <= value.keys(), at, "plus_days or plus_minutes, not both")
            _check_value(value.get("plus_days", value.get("plus_minutes", 0)), at, params, model)
        else:
            raise PackError(f"{at}: a value is a literal, {{param}}, {{as_of_minus_days}}, {{as_of_minus_minutes}}, "
                            "{as_of_minus_period}, {field, plus_days | plus_minutes} or {subject_field}")


def _check_lookups(lookups, at: str, subject, params: dict) -> dict:
    lookups = lookups or {}
    _require(isinstance(lookups, dict), at, "must be a mapping of lookups")
    for key, value in lookups.items():
        head, _, rest = key.partition("__")
        records = subjects.records_of(subject.model, head) if at.endswith(".exclude") else None
        try:
            if records is not None:
                _require(bool(rest), at, f"{key!r}: name a column of the records")
                _resolve(records[0], rest, allow_lookup=True)
                _check_value(value, f"{at}.{key}", params, records[0], subject.model)
                continue
            _resolve(subject.model, key, allow_lookup=True)
        except FieldDoesNotExist:
            raise PackError(f"{at}: lookup {key!r} does not exist on subject {subject.name!r} "
                            f"({subject.model.__name__})") from None
        _check_value(value, f"{at}.{key}", params, subject.model)
    return lookups


def _check_rule(r, at: str, clauses: dict, params: dict) -> Rule:
    _require(isinstance(r, dict), at, "must be a mapping")
    _require(not (set(r) - RULE_KEYS), at, f"unknown keys {sorted(set(r) - RULE_KEYS)}")
    _require(RULE_ID.match(str(r.get("id", ""))) is not None, at, "id must be lower-case words joined by hyphens")
    at = f"{at} ({r['id']})"
    _require(isinstance(r.get("clauses"), list) and r["clauses"], at, "must cite clauses")
    outcome = r.get("outcome", "violation")
    _require(outcome in RULE_OUTCOMES, at, f"outcome must be one of {sorted(RULE_OUTCOMES)}")
    for cid in r["clauses"]:
        _require(cid in clauses, at, f"cites unknown clause {cid!r}")
        c = clauses[cid]
        # A violation needs a clause the data can check; a soft check (a record kept) only gives advice.
        if outcome == "advice":
            _require(c.soft_check, at, f"an advice rule cites {cid}, which is not marked soft_check")
        else:
            _require(c.cls == "check", at, f"cites {cid}, a {c.cls} clause no rule can check"
                     + (" (a soft_check clause takes an advice rule)" if c.soft_check else ""))
    _require(outcome != "advice" or not r.get("undetermined_when"), at, "an advice rule has no undetermined outcome")
    subject = subjects.get(r.get("subject", ""))
    _require(subject is not None, at, f"unknown subject {r.get('subject')!r} (registered: {sorted(subjects.all_subjects())})")
    _require(isinstance(r.get("where"), dict) and r["where"], at, "needs a non-empty where")
    for part in ("where", "exclude", "undetermined_when"):
        _check_lookups(r.get(part), f"{at}.{part}", subject, params)
    facts = r.get("facts") or []
    for fact in facts:
        try:
            _resolve(subject.model, fact, allow_lookup=False)
        except FieldDoesNotExist:
            raise PackError(f"{at}.facts: unknown field {fact!r} on {subject.model.__name__}") from None
    message = r.get("message") or {}
    _require(message.get("zh") and message.get("en"), at, "needs a message in zh and en")
    clause_by = r.get("clause_by")
    if clause_by:
        _require(clause_by.get("field") in facts, at, "clause_by.field must be one of the facts")
        _require(set(clause_by.get("map", {}).values()) <= set(r["clauses"]), at, "clause_by.map cites clauses the rule does not")
    title = r.get("title") or {}
    _require(isinstance(title, dict) and (not title or (title.get("zh") and title.get("en"))), at,
             "title needs zh and en")
    after_period = r.get("after_period") or {}
    if after_period:
        _require(isinstance(after_period, dict) and set(after_period) == {"from", "days"}, at,
                 "after_period needs exactly from and days")
        for value in after_period.values():
            _check_value(value, f"{at}.after_period", params, subject.model)
    return Rule(r["id"], tuple(r["clauses"]), subject.name, r["where"], r.get("exclude") or {},
                r.get("undetermined_when") or {}, tuple(facts), message, clause_by, at.split(" ")[0], title,
                after_period, outcome)


def _check_rules(directory: Path, clauses: dict, params: dict) -> list[Rule]:
    rules, seen = [], set()
    for path in sorted((directory / "rules").glob("*.y*ml")):
        raw = _read_yaml(path) or []
        _require(isinstance(raw, list), str(path), "must be a list of rules")
        for i, r in enumerate(raw):
            rule = _check_rule(r, f"rules/{path.name}[{i}]", clauses, params)
            _require(rule.id not in seen, str(path), f"duplicate rule id {rule.id!r}")
            seen.add(rule.id)
            rules.append(rule)
    return rules


def load_pack(directory: Path) -> Pack:
    directory = Path(directory)
    _require(directory.is_dir(), str(directory), "not a directory")
    checksum = pack_checksum(directory)
    meta = _read_yaml(directory / "pack.yaml")
    _check_meta(meta, directory)
    clauses = _check_clauses(_read_yaml(directory / "clauses.yaml"), f"{directory.name}/clauses.yaml")
    params = _check_params(_read_yaml(directory / "parameters.yaml"), f"{directory.name}/parameters.yaml", clauses)
    sanctions = _check_sanctions(_read_yaml(directory / "sanctions.yaml"), f"{directory.name}/sanctions.yaml", clauses)
    rules = _check_rules(directory, clauses, params)
    return Pack(meta["id"], meta, directory, checksum, clauses, params, sanctions, rules)
