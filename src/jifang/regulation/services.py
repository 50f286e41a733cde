"""The only write path for findings and scan runs.

`scan` runs the engine and reconciles its result with the stored findings in a few set-based
statements that write in proportion to what changed: new findings are bulk-inserted, open findings
the run no longer sees are resolved if still at stage `detected`, and the findings seen again are
left alone: the run leaves one watermark per rule and area instead, from which their last-seen date
is read (models.last_seen_expression). A finding under
enforcement (ordered, overdue, decided) stays open: the run only notes when it stopped seeing it,
because whether a violation was corrected is the officer's decision, not the engine's.
"""
import datetime as dt
from collections import Counter
from itertools import repeat

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from jifang.core.divisions import CITY_CODE, DISTRICTS
from jifang.core.roles import POLICE_AND_ADMIN, Role
from jifang.core import audit, bulk
from jifang.core.errors import NotPermitted, ServiceError
from jifang.core.scoping import visible
from jifang.registry.models import Site

from . import engine, packs, subjects
from .models import Finding, FindingStatus, Outcome, RuleWatermark, ScanRun, Stage, last_seen_expression
from .selectors import evaluated_q, finding_area_q

CHUNK = 2000
MANUAL_RULE = "manual"


def _area_for(actor, district: str | None, site) -> engine.Area:
    """Check that `actor` may scan the area and return it. The police scan inside their own area
    (city: everything; district: their district); the system (actor None, the CLI) everywhere."""
    if site is not None and not isinstance(site, Site):
        site = Site.objects.filter(code=site).first()
        if site is None:
            raise ServiceError("场所不存在", "no such site")
    if district is not None and district not in DISTRICTS:
        raise ServiceError("没有辖区 {d}", "no district {d}", d=district)
    if actor is None:
        return engine.Area(district=district, site_id=site.pk if site else None)
    if actor.role not in POLICE_AND_ADMIN:
        raise NotPermitted("只有公安机关可以运行合规扫描", "only the police may run a compliance scan")
    own = None if actor.role == Role.ADMIN or actor.division_id == CITY_CODE else actor.division_id
    if actor.role == Role.DISTRICT_OFFICER and not own:
        raise NotPermitted()
    if site is not None:
        if not visible(actor, Site).filter(pk=site.pk).exists():
            raise NotPermitted("该场所不在您的辖区内", "this site is outside your area")
        return engine.Area(site_id=site.pk)
    if own and district not in (None, own):
        raise NotPermitted("只能扫描本辖区", "you may scan only your own district")
    return engine.Area(district=district or own)


def _batch_area(actor, sites) -> engine.Area:
    if actor is not None:
        raise NotPermitted("只有系统可以批量复查场所", "only the system rechecks a batch of sites")
    ids = tuple(sorted({int(s) for s in sites}))
    if not ids:
        raise ServiceError("没有要复查的场所", "no sites to recheck")
    return engine.Area(site_ids=ids)


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _found(packs_in_force, as_of, area) -> tuple[dict, list, dict]:
    """Evaluate; return fingerprint -> (rule context, row), the (pack, rule) ids evaluated, and counts."""
    found, evaluated, counts = {}, [], Counter({"violation": 0, "undetermined": 0, "advice": 0})
    per_rule = {}
    for pack, rule, rows in engine.evaluate(packs_in_force, as_of, area):
        evaluated.append((pack.id, rule.id))
        per_rule[rule.id] = len(rows)
        ctx = engine.RuleContext(pack, rule, as_of)
        # a full run makes ~100,000 rows: one pass of C-level loops per rule, not Python statements per row
        found.update(zip(engine.fingerprints(pack, rule, rows), zip(repeat(ctx), rows), strict=True))
        counts.update(Counter(row["_outcome"] for row in rows))
    return found, evaluated, {**counts, "rules": per_rule, "evaluated": evaluated}


_DEFAULTS = {"status": FindingStatus.OPEN, "stage": Stage.DETECTED, "resolved_on": None, "unseen_since": None}


def _insert(rows: list[dict], run: ScanRun) -> None:
    """Insert new findings with one compiled statement per batch (core.bulk): a first scan makes
    tens of thousands, and bulk_create's per-value compilation costs more than the database."""
    if rows:
        extra = {**_DEFAULTS, "first_seen": run.as_of, "last_seen_recorded": run.as_of, "first_run_id": run.pk,
                 "seen_from_run_id": run.pk}
        bulk.insert_rows(Finding, list(rows[0]), [list(r.values()) for r in rows], constants=extra, returning=False)


def _fetch(qs) -> list[tuple]:
    """All rows of a values_list at once: the ORM's iterator fetches a full-registry run's ~50,000
    open findings a hundred rows at a time. Raw values: callers only compare them (a date column
    stays a string on SQLite)."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # no rule evaluated (an as-of date before any pack)
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _open_elsewhere(fingerprints: list[str], area: engine.Area) -> dict[str, tuple]:
    """Open findings with these fingerprints stored under another district or site (the subject
    moved since): seen again, not new (a second open finding would break the unique constraint)."""
    if not fingerprints or (area.district is None and not area.sites):
        return {}
    out = {}
    for chunk in _chunks(fingerprints):
        out.update({fp: (pk, unseen) for fp, pk, unseen in Finding.objects.filter(
            status=FindingStatus.OPEN, fingerprint__in=chunk).values_list("fingerprint", "id", "unseen_since")})
    return out


def _record_sighting(ids: list[int], run: ScanRun) -> None:
    """Seen by `run` after going unseen (or outside the run's area): the chain restarts here."""
    for chunk in _chunks(ids):
        Finding.objects.filter(pk__in=chunk).update(last_seen_recorded=run.as_of, seen_from_run=run, unseen_since=None)


def _close_gone(ids: list[int], run: ScanRun) -> tuple[int, int]:
    """Findings the run no longer sees. Their last-seen date is frozen from the watermarks as they
    stood before this run; detected ones are resolved, those under enforcement marked unseen."""
    resolved = unseen = 0
    last_seen = last_seen_expression()
    for chunk in _chunks(ids):
        gone = Finding.objects.filter(pk__in=chunk)
        # Detected: nobody acts on it any more. Rectified: the officer's decision is confirmed by the
        # data, and the finding must close or a recurrence would be swallowed by it.
        closing = [Stage.DETECTED, Stage.RECTIFIED]
        resolved += gone.filter(stage__in=closing).update(
            last_seen_recorded=last_seen, status=FindingStatus.RESOLVED, resolved_on=run.as_of)
        unseen += gone.exclude(stage__in=closing).filter(unseen_since__isnull=True).update(
            last_seen_recorded=last_seen, unseen_since=run.as_of)
    return resolved, unseen


def _leave_watermarks(run: ScanRun, evaluated: list, area: engine.Area, found: dict) -> None:
    """One row per rule evaluated: every open finding of that rule in the area was seen as of today.
    A batch of sites leaves one per rule and site where the run saw something: a watermark dates
    only findings open after the run, and in a batch those are the ones it saw (rules x sites rows
    would make a batch of 200 sites write thousands)."""
    if area.site_ids:
        pairs = {(ctx.pack.id, ctx.rule.id, row["_site_id"]) for ctx, row in found.values() if row.get("_site_id")}
        marks = [RuleWatermark(pack_id=p, rule_id=r, district="", site_id=s, run=run, as_of=run.as_of)
                 for p, r, s in sorted(pairs)]
    else:
        marks = [RuleWatermark(pack_id=p, rule_id=r, district=area.district or "", site_id=area.site_id or 0,
                               run=run, as_of=run.as_of) for p, r in evaluated]
    RuleWatermark.objects.bulk_create(marks, update_conflicts=True, update_fields=["run", "as_of"],
                                      unique_fields=["pack_id", "rule_id", "district", "site_id"])


def _day(value) -> str | None:
    """A raw date column as an ISO string (SQLite returns strings, PostgreSQL dates)."""
    return None if value is None else str(value)


def settled(stage: str, unseen_since, correct_by, as_of: dt.date) -> bool:
    """Whether an open finding's enforcement is over as far as a new sighting is concerned: the
    officer found it rectified; or the runs stopped seeing it on or before its order's last day
    (corrected in time) and that day has passed; or it was fined and the runs stopped seeing it
    since. Seeing its violation again is then a recurrence."""
    unseen, due = _day(unseen_since), _day(correct_by)
    if stage == Stage.RECTIFIED or (stage == Stage.DECIDED and unseen is not None):
        return True
    return stage == Stage.ORDERED and unseen is not None and due is not None and unseen <= due < as_of.isoformat()


def _close_recurred(pks: list[int], run: ScanRun) -> None:
    """Settled findings whose violation is back: closed (their last sighting frozen as it stood),
    so that the recurrence can open as a new finding under the same fingerprint."""
    last_seen = last_seen_expression()
    for chunk in _chunks(pks):
        Finding.objects.filter(pk__in=chunk).update(last_seen_recorded=last_seen, status=FindingStatus.RESOLVED,
                                                    resolved_on=run.as_of)


def _enforced_before(fingerprints) -> dict[str, int]:
    """For new findings: the latest closed finding of the same fingerprint that was under
    enforcement (ordered at least once), which the new one recurs after."""
    out = {}
    for chunk in _chunks(list(fingerprints)):
        rows = (Finding.objects.filter(fingerprint__in=chunk, status=FindingStatus.RESOLVED)
                .exclude(stage=Stage.DETECTED).order_by("id").values_list("fingerprint", "id"))
        out.update(rows)  # ascending ids: the latest wins
    return out


def _reconcile(run: ScanRun, found: dict, evaluated: list, area: engine.Area) -> dict:
    """Set-based, and writes in proportion to what changed: new findings are inserted, findings
    that went away are closed, findings seen after going unseen restart their chain; the findings
    seen again as before are not touched (the run's watermarks say they were seen). A violation
    seen again after its enforcement settled (`settled`) is a recurrence: the old finding closes
    and a new one, linked to it (recurrence_of), opens at stage detected, to be ordered anew."""
    current = Finding.objects.filter(evaluated_q(evaluated), finding_area_q(area), status=FindingStatus.OPEN)
    rows = _fetch(current.values_list("fingerprint", "id", "unseen_since", "stage", "correct_by"))
    recurred = {fp: pk for fp, pk, unseen, stage, due in rows  # a detected finding is never settled
                if stage != Stage.DETECTED and fp in found and settled(stage, unseen, due, run.as_of)}
    existing = {fp: pk for fp, pk, *_rest in rows if fp not in recurred}
    unseen_before = {fp for fp, _pk, unseen, *_rest in rows if unseen is not None}
    elsewhere = _open_elsewhere([fp for fp in found if fp not in existing and fp not in recurred], area)
    fresh = [fp for fp in found if fp not in existing and fp not in elsewhere]
    earlier = {**_enforced_before(fp for fp in fresh if fp not in recurred), **recurred}
    new = [{**engine.finding_values(*found[fp], fp), "recurrence_of_id": earlier.get(fp)} for fp in fresh]
    again = [existing[fp] for fp in unseen_before if fp in found and fp in existing]
    again += [pk for pk, _unseen in elsewhere.values()]
    gone = [pk for fp, pk in existing.items() if fp not in found]
    resolved, unseen = _close_gone(gone, run)  # before the watermarks move: they date the last sighting
    _close_recurred(list(recurred.values()), run)
    _insert(new, run)
    _record_sighting(again, run)
    _leave_watermarks(run, evaluated, area, found)
    still_open = len(found) - len(new)
    return {"new": len(new), "still_open": still_open, "resolved": resolved, "unseen_under_enforcement": unseen,
            "recurred": len(recurred)}


# Any constant: the key of the PostgreSQL advisory lock that lets one scan run at a time.
SCAN_LOCK_KEY = 530_100_116


def _one_scan_at_a_time() -> None:
    """Two runs over overlapping areas at once (the nightly scan and an officer's) would both
    insert the same new finding, and the second would fail on the open-fingerprint constraint:
    runs queue instead, on every node. PostgreSQL: an advisory lock held to the end of the
    transaction. SQLite: transactions begin IMMEDIATE (settings), so writers queue already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCAN_LOCK_KEY])


@transaction.atomic
def scan(*, actor, as_of: dt.date | None = None, district: str | None = None, site=None,
         pack: str | None = None, sites: list[int] | None = None) -> ScanRun:
    """Run every rule of every pack in force on `as_of` (default today) over the area and reconcile;
    `pack` narrows the run to one pack (findings of the others are left as they are: reconciling
    is per rule evaluated). `sites` (site ids; the system only: the rechecks) runs each rule once
    over that batch of sites and reconciles only their findings; the run's counts list them."""
    as_of = as_of or timezone.localdate()
    area = _area_for(actor, district, site) if sites is None else _batch_area(actor, sites)
    if pack is not None:
        packs.get_pack(pack)  # an unknown pack is refused before anything is written
    _one_scan_at_a_time()
    run = ScanRun.objects.create(as_of=as_of, area=area.label, actor_label=getattr(actor, "username", "system"))
    in_force = [p for p in packs.active_packs(as_of, area.district) if pack is None or p.id == pack]
    found, evaluated, counts = _found(in_force, as_of, area)
    counts.update(_reconcile(run, found, evaluated, area))
    counts["packs"] = [f"{p.id}@{p.version}" for p in in_force]
    if area.site_ids:
        counts["sites"] = list(area.site_ids)
    run.counts = counts
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "finished_at"])
    audit.record(actor=actor, action="regulation.scanrun.create", obj=run, after=audit.snapshot(run),
                 district=area.district or "")
    return run


def _subject_row(subject_obj) -> tuple[subjects.Subject, dict]:
    subject = next((s for s in subjects.all_subjects().values() if isinstance(subject_obj, s.model)), None)
    if subject is None:
        raise ServiceError("该对象不能作为检查对象", "this object cannot be the subject of a finding")
    paths = subject.paths()
    row = subject.model._default_manager.filter(pk=subject_obj.pk).values(**{f"_{k}": F(v) for k, v in paths.items()}).get()
    return subject, row


@transaction.atomic
def finding_raise(*, actor, pack_id: str, clause_id: str, subject, facts: dict, explanation_zh: str,
                  explanation_en: str) -> Finding:
    """A finding raised by hand (an inspection) for a clause no data can check, e.g. art_21 (二)."""
    if actor is None or actor.role not in POLICE_AND_ADMIN:
        raise NotPermitted("只有公安机关可以登记违法事实", "only the police may raise a finding")
    pack = packs.get_pack(pack_id)
    if clause_id not in pack.clauses:
        raise ServiceError("规则包 {p} 中没有条款 {c}", "pack {p} has no clause {c}", p=pack_id, c=clause_id)
    clause = pack.clause(clause_id)
    if clause.cls in ("declarative", "scope", "validity", "penalty"):
        raise ServiceError("{c}（{l}）不设可违反的义务", "{c} ({l}) sets no duty that can be violated",
                           c=clause_id, l=clause.label_zh)
    if not visible(actor, type(subject)).filter(pk=subject.pk).exists():
        raise NotPermitted("该对象不在您的辖区内", "this object is outside your area")
    subj, row = _subject_row(subject)
    today = timezone.localdate()
    if not (pack.in_force(today) and pack.covers(row["_district_id"])):
        raise ServiceError("规则包 {p} 不适用于该对象", "pack {p} does not apply to this subject", p=pack_id)
    if not explanation_zh.strip() or not explanation_en.strip():
        raise ServiceError("须填写中英文说明", "an explanation in Chinese and English is required")
    fingerprint = f"{pack.id}:{MANUAL_RULE}:{clause_id}:{subj.name}:{subject.pk}:{Outcome.VIOLATION}"
    earlier = Finding.objects.select_for_update().filter(fingerprint=fingerprint, status=FindingStatus.OPEN).first()
    if earlier is not None and not settled(earlier.stage, earlier.unseen_since, earlier.correct_by, today):
        raise ServiceError("该对象已有同一条款的未结违法事实", "this subject already has an open finding under this clause",
                           clause=clause_id)
    if earlier is not None:  # seen again after it was rectified: a recurrence, ordered anew
        Finding.objects.filter(pk=earlier.pk).update(status=FindingStatus.RESOLVED, resolved_on=today)
    sanction = pack.sanction_for(clause_id, row.get("_unit_kind"))
    finding = Finding.objects.create(
        pack_id=pack.id, pack_version=pack.version, pack_checksum=pack.checksum, rule_id=MANUAL_RULE,
        clause_id=clause_id, clauses=[{"id": clause_id, "label": clause.label_zh, "text": clause.excerpt()}],
        subject_type=subj.name, subject_id=subject.pk, subject_key=str(row["_subject_key"]),
        district_id=row["_district_id"], unit_id=row.get("_unit_id"), site_id=row.get("_site_id"),
        firm_id=row.get("_firm_id"), outcome=Outcome.VIOLATION,
        facts={**facts, **engine.unit_kind_facts(sanction, row.get("_unit_kind")), "raised_by": actor.username},
        sanction=sanction,
        explanation_zh=explanation_zh.strip(), explanation_en=explanation_en.strip(),
        fingerprint=fingerprint, first_seen=today, last_seen_recorded=today, recurrence_of=earlier,
    )
    audit.record(actor=actor, action="regulation.finding.raise", obj=finding, after=audit.snapshot(finding))
    return finding
