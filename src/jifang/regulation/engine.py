"""The engine: each rule of a pack becomes one queryset over its subject's table, evaluated for an
as-of date over the whole registry, one district or one site. The database does the work; Python
only turns the result rows (the violations, not the registry) into findings. A full or district run
reads a subject in `SHARED` once for all its rules (`run_group`), with the same rows per rule.

Dates come from the caller (`as_of`), never from now(): a run for 2025-03-01 gives the same answer
tomorrow as today, and parameters are taken as they stood on that date.
"""
import datetime as dt
import decimal
import string
import threading
import zoneinfo
from dataclasses import dataclass

from django.db import connections
from django.db.models import Case, DateField, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Value, When
from django.db.models import CharField as CharFieldType
from django.utils import translation

from jifang.core.divisions import DISTRICTS
from jifang.core.templatetags.jifang import field_at

from . import subjects
from .loader import Pack, Rule
from .models import Outcome
from .periods import MAX_ROLL_DAYS, pack_period_end

UNKNOWN = {"zh": "未知", "en": "unknown"}


@dataclass(frozen=True)
class Area:
    """Where a run looks: everything, one district (by code), one site (by id) or a batch of sites
    (the rechecks: `site_ids`, whose list a run keeps in its counts, the label only says how many)."""

    district: str | None = None
    site_id: int | None = None
    site_ids: tuple[int, ...] = ()

    @property
    def sites(self) -> tuple[int, ...]:
        """The sites the area is restricted to; empty when it is not restricted to sites."""
        return (self.site_id,) if self.site_id is not None else self.site_ids

    @property
    def label(self) -> str:
        if self.site_id is not None:
            return f"site:{self.site_id}"
        if self.site_ids:
            return f"sites:{len(self.site_ids)}"
        return f"district:{self.district}" if self.district else ""

    @classmethod
    def of_run(cls, run) -> "Area":
        sites = run.counts.get("sites") if isinstance(run.counts, dict) else None
        return cls(site_ids=tuple(sites)) if run.area.startswith("sites:") and sites else cls.from_label(run.area)

    @classmethod
    def from_label(cls, label: str) -> "Area":
        kind, _, value = label.partition(":")
        if kind == "site":
            return cls(site_id=int(value))
        return cls(district=value) if kind == "district" else cls()


def _whole(value, pack: Pack, as_of: dt.date) -> int:
    """A count of days or minutes: a literal or a parameter."""
    return int(resolve_value(value, pack, as_of))


# Moments are compared with the start of the as-of day in Kunming: a run never counts hours of a day
# it has not reached, so a duty measured in minutes is never found broken early (docs/rule-packs.md).
OFFICIAL_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def start_of(as_of: dt.date) -> dt.datetime:
    return dt.datetime.combine(as_of, dt.time(), tzinfo=OFFICIAL_TZ)


def latest_period_start(pack: Pack, as_of: dt.date, days: int) -> dt.date:
    """The latest day from which a period of `days` days (the start day not counted) has ended
    before the as-of day, its last day moved as the pack's period_end_rule says: a duty "within N
    days" of a date on or before this one is late as of `as_of`. Periods that end on a rest day run
    to the next working day, so the answer is the last day before `as_of` that ends a period."""
    day = as_of - dt.timedelta(days=1)
    for _i in range(MAX_ROLL_DAYS):
        if pack_period_end(pack, as_of, day) < as_of:
            return day - dt.timedelta(days=days)
        day -= dt.timedelta(days=1)
    raise ValueError(f"no period end within {MAX_ROLL_DAYS} days before {as_of}")


def period_ended(pack: Pack, rule: Rule, as_of: dt.date) -> bool:
    """A rule's `after_period` (a transition) has ended before the as-of day; True without one."""
    if not rule.after_period:
        return True
    start = dt.date.fromisoformat(str(resolve_value(rule.after_period["from"], pack, as_of)))
    last_day = start + dt.timedelta(days=_whole(rule.after_period["days"], pack, as_of))
    return pack_period_end(pack, as_of, last_day) < as_of


def resolve_value(value, pack: Pack, as_of: dt.date):
    """A rule value: literal, {param}, {as_of_minus_days}, {as_of_minus_minutes}, {as_of_minus_period},
    {field, plus_days}, {field, plus_minutes} or, in lookups over a subject's records, {subject_field}
    (see docs/rule-packs.md)."""
    if not isinstance(value, dict):
        return value
    if "subject_field" in value:
        return OuterRef(value["subject_field"])  # the subject's row, seen from inside its records' EXISTS
    if "param" in value:
        return pack.param(value["param"], as_of)
    if "as_of_minus_period" in value:
        return latest_period_start(pack, as_of, _whole(value["as_of_minus_period"], pack, as_of))
    if "as_of_minus_days" in value:
        return as_of - dt.timedelta(days=_whole(value["as_of_minus_days"], pack, as_of))
    if "as_of_minus_minutes" in value:
        return start_of(as_of) - dt.timedelta(minutes=_whole(value["as_of_minus_minutes"], pack, as_of))
    if "plus_minutes" in value:
        plus = dt.timedelta(minutes=_whole(value["plus_minutes"], pack, as_of))
        return ExpressionWrapper(F(value["field"]) + plus, output_field=DateTimeField())
    if "plus_days" not in value:
        return F(value["field"])
    plus = dt.timedelta(days=_whole(value["plus_days"], pack, as_of))
    return ExpressionWrapper(F(value["field"]) + plus, output_field=DateField())


def _q(lookups: dict, pack: Pack, as_of: dt.date) -> Q:
    return Q(**{key: resolve_value(v, pack, as_of) for key, v in lookups.items()})


def _population(rule: Rule) -> dict:
    """`where` without its lookups on the fields whose absence makes the outcome undetermined."""
    unknown = {key.split("__")[0] for key in rule.undetermined_when}
    return {k: v for k, v in rule.where.items() if k.split("__")[0] not in unknown}


def params_used(rule: Rule) -> set[str]:
    names = set()

    def walk(v):
        if isinstance(v, dict):
            if "param" in v:
                names.add(v["param"])
            for inner in v.values():
                walk(inner)

    for part in (rule.where, rule.exclude, rule.undetermined_when, rule.after_period):
        walk(part)
    return names


def area_q(subject, area: Area) -> Q | None:
    """None when the subject cannot be placed in the area (a unit in a one-site run)."""
    if area.site_id is not None:
        return Q(**{subject.site: area.site_id}) if subject.site else None
    if area.site_ids:
        return Q(**{f"{subject.site}__in": area.site_ids}) if subject.site else None
    return Q(**{subject.district: area.district}) if area.district else Q()


def _split(model, lookups: dict) -> tuple[dict, dict]:
    """Lookups on the subject's own row, and those across a to-many relation (or registered
    records, subjects.register_records) grouped per relation as
    {(model, its column, the subject's column it matches): inner}."""
    plain, related = {}, {}
    for key, value in lookups.items():
        head, _, rest = key.partition("__")
        records = subjects.records_of(model, head)
        if records is not None:
            related.setdefault(records, {})[rest] = value
            continue
        field = model._meta.get_field(head)
        if field.one_to_many and rest:
            related.setdefault((field.related_model, field.field.name, "pk"), {})[rest] = value
        else:
            plain[key] = value
    return plain, related


def _related_rows(related_model, via: str, on: str, inner: dict, pack: Pack, as_of: dt.date):
    rows = related_model._default_manager.filter(**{via: OuterRef(on)})
    return Exists(rows.filter(_q(inner, pack, as_of)))


def _where(model, lookups: dict, pack: Pack, as_of: dt.date) -> Q:
    """`where` as one condition. A lookup across a to-many relation ("has a system in use") is an
    EXISTS per relation, so a subject with two such rows is still one row (one finding)."""
    plain, related = _split(model, lookups)
    out = _q(plain, pack, as_of)
    for (related_model, via, on), inner in related.items():
        out &= Q(_related_rows(related_model, via, on, inner, pack, as_of))
    return out


def _exclusions(model, lookups: dict, pack: Pack, as_of: dt.date) -> list:
    """`exclude` as filters. Lookups across a to-many relation ("has no system in use") become a
    correlated NOT EXISTS per relation: Django's exclude would write NOT IN (subquery), which
    PostgreSQL cannot turn into an anti-join and evaluates over the whole related table even when
    the run looks at one site."""
    plain, related = _split(model, lookups)
    out = [~_q(plain, pack, as_of)] if plain else []
    for (related_model, via, on), inner in related.items():
        out.append(~_related_rows(related_model, via, on, inner, pack, as_of))
    return out


def violating_filters(pack: Pack, rule: Rule, as_of: dt.date) -> list:
    """The filters keeping exactly the subject rows `rule` finds in violation on `as_of`: its `where`
    and `exclude`, compiled as `rule_queryset` compiles them. For a list that shows what a rule finds
    without waiting for a scan, so that the condition has one definition, the rule's (duties' "user not
    on the watch roster" filter). The run's own limits (its area, the pack's jurisdiction, a period not
    yet ended, undetermined rows) are not part of the condition."""
    model = subjects.get(rule.subject).model
    excluded = _exclusions(model, rule.exclude, pack, as_of) if rule.exclude else []
    return [_where(model, rule.where, pack, as_of), *excluded]


def jurisdiction_q(subject, pack: Pack) -> Q:
    """The pack's area as a list of the registry's district codes; no filter when it covers them all."""
    codes = [code for code in DISTRICTS if code.startswith(pack.jurisdiction_prefix)]
    return Q() if len(codes) == len(DISTRICTS) else Q(**{f"{subject.district}__in": codes})


def rule_queryset(pack: Pack, rule: Rule, as_of: dt.date, area: Area = Area()) -> QuerySet | None:
    """The one query for `rule`: violating (and undetermined) subjects with their facts, as dicts."""
    subject = subjects.get(rule.subject)
    place = area_q(subject, area)
    if place is None:
        return None
    violating = _where(subject.model, rule.where, pack, as_of)
    qs = subject.model._default_manager.filter(place, jurisdiction_q(subject, pack))
    if not period_ended(pack, rule, as_of):
        qs = qs.filter(pk__isnull=True)  # nothing yet: the transition runs (one compiled query all the same)
    if rule.undetermined_when:
        unknown = _where(subject.model, _population(rule), pack, as_of) & _q(rule.undetermined_when, pack, as_of)
        qs = qs.filter(violating | unknown)
        outcome = Case(When(violating, then=Value(Outcome.VIOLATION)), default=Value(Outcome.UNDETERMINED),
                       output_field=CharFieldType())
    else:
        qs = qs.filter(violating)
        outcome = Value(Outcome.ADVICE if rule.advice else Outcome.VIOLATION, output_field=CharFieldType())
    if rule.exclude:
        qs = qs.filter(*_exclusions(subject.model, rule.exclude, pack, as_of))
    columns = {f"_{name}": F(path) for name, path in subject.paths().items()}
    return qs.values(*rule.facts, _outcome=outcome, **columns).order_by("pk")


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


class _Blank(dict):
    def __init__(self, data, lang):
        super().__init__(data)
        self.lang = lang

    def __missing__(self, key):
        return UNKNOWN[self.lang]


def choice_labels(model, facts) -> dict:
    """{fact: {stored value: (zh label, en label)}} for the facts that are choice fields, worked out
    once per rule: an explanation reads 养老院护理区, not the stored key `nursing_room`."""
    labels = {}
    for name in facts:
        field = field_at(model, name)
        if field is None or not field.choices or field.is_relation:
            continue
        with translation.override("zh-hans"):
            zh = {value: str(label) for value, label in field.flatchoices}
        with translation.override("en"):
            en = {value: str(label) for value, label in field.flatchoices}
        labels[name] = {value: (zh[value], en[value]) for value in zh}
    return labels


def _moment(value: dt.datetime, lang: str) -> str:
    """A moment as officials write it, in Kunming's time (facts keep the ISO form)."""
    local = value.astimezone(OFFICIAL_TZ)
    if lang == "zh":
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def _explain(rule: Rule, facts: dict, params: dict, outcome: str, clause_label: str,
             moments: dict | None = None, labels: dict | None = None) -> tuple[str, str]:
    values = {k: v for k, v in facts.items() if v is not None}
    values["clause_label"] = clause_label
    values.update({k: p["value"] for k, p in params.items()})
    moments = moments or {}
    texts = []
    for i, lang in enumerate(("zh", "en")):
        shown = dict(values) | {k: _moment(v, lang) for k, v in moments.items()}
        for name, by_value in (labels or {}).items():
            if shown.get(name) in by_value:
                shown[name] = by_value[shown[name]][i]
        texts.append(rule.message[lang].format_map(_Blank(shown, lang)))
    zh, en = texts
    if outcome == Outcome.UNDETERMINED:
        zh, en = "待定（事实缺失）：" + zh, "Undetermined (facts missing): " + en
    elif outcome == Outcome.ADVICE:
        zh, en = "建议：" + zh, "Advice: " + en
    return zh, en


def unit_kind_facts(sanction: dict, unit_kind: str | None) -> dict:
    """The unit's kind, and a flag when the fine range depends on it and the registry does not know
    it: both ranges then stay in the sanction for the officer, who must establish the kind."""
    facts = {"unit_kind": unit_kind}
    if sanction and {f["unit_kind"] for f in sanction["fines"]} >= {"business", "non_business"}:
        facts["unit_kind_gap"] = True
    return facts


def clause_of(rule: Rule, row: dict) -> str:
    if rule.clause_by:
        return rule.clause_by["map"].get(row[rule.clause_by["field"]], rule.clauses[0])
    return rule.clauses[0]


def fingerprints(pack: Pack, rule: Rule, rows: list[dict]) -> list[str]:
    """Identity of a finding across runs: the same rule, clause, subject and outcome. The part that
    is the same for every row of a rule is built once (a full-registry run makes ~50,000)."""
    if rule.clause_by:
        return [f"{pack.id}:{rule.id}:{clause_of(rule, row)}:{rule.subject}:{row['_subject_id']}:{row['_outcome']}"
                for row in rows]
    head = f"{pack.id}:{rule.id}:{rule.clauses[0]}:{rule.subject}:"
    return [f"{head}{row['_subject_id']}:{row['_outcome']}" for row in rows]



class RuleContext:
    """What every finding of one rule shares (parameters, clause texts, sanctions per unit kind),
    worked out once per rule and run instead of once per row."""

    def __init__(self, pack: Pack, rule: Rule, as_of: dt.date):
        self.pack, self.rule = pack, rule
        self.params = {}
        # The parameters the rule's lookups read, and those its message names (the art_16 message
        # names filing_days while its lookups compare with a deadline column computed from it).
        named = {field for text in rule.message.values() for _lit, field, _spec, _conv in string.Formatter().parse(text)
                 if field in pack.params}
        for name in sorted(params_used(rule) | named):
            entry = pack.param_entry(name, as_of)
            self.params[name] = {"value": _plain(entry["value"]), "unit": entry.get("unit", ""), "clause": entry["clause"]}
        self._sanctions: dict = {}
        self.labels = choice_labels(subjects.get(rule.subject).model, rule.facts)

    def cited(self, clause_id: str) -> list[dict]:
        ids = [clause_id] if self.rule.clause_by else list(self.rule.clauses)
        return [{"id": c, "label": self.pack.clause(c).label_zh, "text": self.pack.clause(c).excerpt()} for c in ids]

    def sanction(self, clause_id: str, unit_kind: str | None) -> dict:
        if self.rule.advice:
            return {}  # advice never carries a sanction, whatever the clause's penalty article
        key = (clause_id, unit_kind)
        if key not in self._sanctions:
            self._sanctions[key] = self.pack.sanction_for(clause_id, unit_kind)
        return self._sanctions[key]


def finding_values(ctx: RuleContext, row: dict, fingerprint: str) -> dict:
    """Everything a Finding stores for one result row, whose `fingerprints` entry the caller
    already has (the caller adds run and dates)."""
    pack, rule = ctx.pack, ctx.rule
    outcome = row["_outcome"]
    clause_id = clause_of(rule, row)
    unit_kind = row.get("_unit_kind")
    facts = {name: _plain(row[name]) for name in rule.facts}
    sanction = ctx.sanction(clause_id, unit_kind)
    facts.update(unit_kind_facts(sanction, unit_kind))
    if outcome == Outcome.UNDETERMINED:
        facts["unknown"] = sorted({k.split("__")[0] for k in rule.undetermined_when})
    if ctx.params:
        facts["parameters"] = ctx.params
    moments = {name: row[name] for name in rule.facts if isinstance(row[name], dt.datetime)}
    zh, en = _explain(rule, facts, ctx.params, outcome, pack.clause(clause_id).label_zh, moments, ctx.labels)
    return {
        "pack_id": pack.id,
        "pack_version": pack.version,
        "pack_checksum": pack.checksum,
        "rule_id": rule.id,
        "clause_id": clause_id,
        "clauses": ctx.cited(clause_id),
        "subject_type": rule.subject,
        "subject_id": row["_subject_id"],
        "subject_key": str(row["_subject_key"]),
        "district_id": row["_district_id"],
        "unit_id": row.get("_unit_id"),
        "site_id": row.get("_site_id"),
        "firm_id": row.get("_firm_id"),
        "outcome": str(outcome),
        "facts": facts,
        "sanction": sanction,
        "explanation_zh": zh,
        "explanation_en": en,
        "fingerprint": fingerprint,
    }


# ---- compiled rules ---------------------------------------------------------------------------------
# Building a queryset costs more than running it for a one-site recheck (the SQL is compiled anew each
# time). Each rule's SQL is therefore compiled once per (pack checksum, rule, as-of date, kind of area)
# with placeholders for the area, then run with the real site ids or district code as parameters,
# converting the columns exactly as the ORM would. Per thread, since compilers hold a connection.
# A batch of sites is compiled for a few fixed sizes (`_BATCH_SIZES`), the list padded with its last
# site (a repeated value in IN changes nothing), so a recheck of 37 sites reuses the SQL for 64.
_SITE_SLOT = 9_007_199_254_740_116
_DISTRICT_SLOT = "__jifang_area_slot__"
_BATCH_SIZES = (4, 16, 64, 256, 1024)
_MAX_COMPILED = 512
_local = threading.local()


@dataclass(frozen=True)
class Compiled:
    sql: str
    params: tuple
    slots: tuple  # (position in params, index of the area's value it takes)
    names: tuple
    compiler: object
    converters: dict


def _placeholder(kind) -> Area:
    if isinstance(kind, int):
        return Area(site_ids=tuple(_SITE_SLOT + i for i in range(kind)))
    return {"site": Area(site_id=_SITE_SLOT), "district": Area(district=_DISTRICT_SLOT), "all": Area()}[kind]


def _compile(pack: Pack, rule: Rule, as_of: dt.date, kind) -> Compiled | None:
    placeholder = _placeholder(kind)
    return _compile_queryset(rule_queryset(pack, rule, as_of, placeholder), placeholder)


def _compile_queryset(qs: QuerySet | None, placeholder: Area) -> Compiled | None:
    if qs is None:
        return None
    compiler = qs.query.get_compiler(using=qs.db)
    sql, params = compiler.as_sql()
    values = placeholder.sites or ((placeholder.district,) if placeholder.district else ())
    index = {v: i for i, v in enumerate(values)}
    slots = tuple((pos, index[p]) for pos, p in enumerate(params) if type(p) is type(values[0]) and p in index) \
        if values else ()
    names = (*qs.query.extra_select, *qs.query.values_select, *qs.query.annotation_select)
    fields = [col[0] for col in compiler.select[: compiler.col_count]]
    return Compiled(sql, tuple(params), slots, names, compiler, compiler.get_converters(fields))


def _kind(area: Area):
    """The shape of the area's SQL: a batch of sites by its padded size."""
    if area.site_ids:
        return next((n for n in _BATCH_SIZES if n >= len(area.site_ids)), len(area.site_ids))
    return "site" if area.site_id is not None else "district" if area.district else "all"


def _cached(key: tuple, build) -> Compiled | None:
    """This thread's compiled SQL under `key`, built by build() the first time."""
    cache = getattr(_local, "compiled", None)
    if cache is None or len(cache) > _MAX_COMPILED:
        cache = _local.compiled = {}
    if key not in cache:
        cache[key] = build()
    return cache[key]


def compiled(pack: Pack, rule: Rule, as_of: dt.date, area: Area) -> Compiled | None:
    kind = _kind(area)
    return _cached((pack.id, pack.checksum, rule.id, as_of, kind), lambda: _compile(pack, rule, as_of, kind))


def _area_values(area: Area) -> tuple:
    if area.site_ids:
        size = _kind(area)
        return area.site_ids + (area.site_ids[-1],) * (size - len(area.site_ids))
    return area.sites or (area.district,)


def run_rule(pack: Pack, rule: Rule, as_of: dt.date, area: Area = Area()) -> list[dict] | None:
    """The rule's rows for the area as dicts (the same as list(rule_queryset(...))); None when the
    subject cannot be placed in the area."""
    c = compiled(pack, rule, as_of, area)
    if c is None:
        return None
    return [dict(zip(c.names, row)) for row in _execute(c, area)]


def _execute(c: Compiled, area: Area) -> list:
    params = list(c.params)
    if c.slots:
        values = _area_values(area)
        for pos, i in c.slots:
            params[pos] = values[i]
    # The caller's connection now, not the one the SQL was compiled on: inside a running event loop
    # Django gives a thread one connection per context, and another connection would not see (on
    # SQLite: would be locked out of) the caller's transaction.
    with connections[c.compiler.using].cursor() as cursor:
        cursor.execute(c.sql, params)
        rows = cursor.fetchall()
    if c.converters:
        rows = c.compiler.apply_converters(rows, c.converters)
    return rows


# ---- rules that share a subject, in one pass ---------------------------------------------------------
# A full-registry or district run reads the table of a subject in `SHARED` once for all the rules over
# it: the device rules were one scan each of a million devices with the same joins. The group's query
# selects every member's facts and one outcome column per member (NULL where the rule does not hold)
# and keeps the rows where any member holds; each rule's rows are cut from it: the same dicts in the
# same order as the rule's own query gives (tests/regulation/test_engine.py compares them). Site and
# batch runs keep one query per rule: on a few sites each is an index lookup already.
SHARED = ("device",)


def _rule_match(pack: Pack, rule: Rule, as_of: dt.date, subject) -> tuple[Q, Case]:
    """The rule's whole condition as `rule_queryset` filters with it, and its outcome (NULL outside it)."""
    model = subject.model
    violating = _where(model, rule.where, pack, as_of)
    match = jurisdiction_q(subject, pack)
    if rule.undetermined_when:
        match &= violating | (_where(model, _population(rule), pack, as_of) & _q(rule.undetermined_when, pack, as_of))
    else:
        match &= violating
    for condition in _exclusions(model, rule.exclude, pack, as_of) if rule.exclude else ():
        match &= Q(condition)
    if rule.undetermined_when:
        outcome = [When(match & violating, then=Value(Outcome.VIOLATION)), When(match, then=Value(Outcome.UNDETERMINED))]
    else:
        outcome = [When(match, then=Value(Outcome.ADVICE if rule.advice else Outcome.VIOLATION))]
    return match, Case(*outcome, default=None, output_field=CharFieldType())


def group_queryset(members: tuple, as_of: dt.date, area: Area = Area()) -> QuerySet | None:
    """One query for rules over one subject, (pack, rule) pairs whose transition periods have ended:
    every member's facts, and `_o<i>` the outcome of member i."""
    subject = subjects.get(members[0][1].subject)
    place = area_q(subject, area)
    if place is None:
        return None
    any_rule, outcomes, facts = Q(), {}, {}
    for i, (pack, rule) in enumerate(members):
        match, outcomes[f"_o{i}"] = _rule_match(pack, rule, as_of, subject)
        any_rule |= match
        facts.update(dict.fromkeys(rule.facts))
    columns = {f"_{name}": F(path) for name, path in subject.paths().items()}
    return (subject.model._default_manager.filter(place).filter(any_rule)
            .values(*facts, **outcomes, **columns).order_by("pk"))


def run_group(members: tuple, as_of: dt.date, area: Area = Area()) -> list[list[dict]] | None:
    """Each member's rows as `run_rule` gives them, from the group's one query; None when the
    subject cannot be placed in the area."""
    kind = _kind(area)
    placeholder = _placeholder(kind)
    c = _cached((tuple((pack.id, pack.checksum, rule.id) for pack, rule in members), as_of, kind),
                lambda: _compile_queryset(group_queryset(members, as_of, placeholder), placeholder))
    if c is None:
        return None
    rows = list(_execute(c, area))
    at = {name: i for i, name in enumerate(c.names)}
    columns = [(f"_{name}", at[f"_{name}"]) for name in subjects.get(members[0][1].subject).paths()]
    out = []
    for n, (_pack, rule) in enumerate(members):
        o = at[f"_o{n}"]
        picks = [(name, at[name]) for name in rule.facts] + [("_outcome", o)] + columns
        out.append([{name: row[i] for name, i in picks} for row in rows if row[o] is not None])
    return out


def _grouped(in_force: list[Pack], as_of: dt.date, area: Area) -> dict:
    """(pack id, rule id) -> rows, for the rules a full or district run evaluates in shared passes."""
    if area.sites:
        return {}
    groups: dict[str, list] = {}
    for pack in in_force:
        for rule in pack.rules:
            if rule.subject in SHARED and period_ended(pack, rule, as_of):
                groups.setdefault(rule.subject, []).append((pack, rule))
    out = {}
    for members in groups.values():
        if len(members) > 1:
            results = run_group(tuple(members), as_of, area)
            out.update({(p.id, r.id): rows for (p, r), rows in zip(members, results or [None] * len(members))})
    return out


def evaluate(packs: list[Pack], as_of: dt.date, area: Area = Area()):
    """Yield (pack, rule, rows) for every rule of every pack in force on `as_of` whose area meets
    the run's. `rows` is the evaluated result of the rule's single query (or of its share of a
    subject's pass, `SHARED`), in the packs' order of rules either way."""
    in_force = [p for p in packs if p.in_force(as_of) and p.covers(area.district)]
    grouped = _grouped(in_force, as_of, area)
    for pack in in_force:
        for rule in pack.rules:
            key = (pack.id, rule.id)
            rows = grouped[key] if key in grouped else run_rule(pack, rule, as_of, area)
            if rows is not None:
                yield pack, rule, rows
