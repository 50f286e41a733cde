"""Findings follow changes (issue 14 §1).

Every service write appends an audit row in its own transaction (core.audit), so that is the one
hook: `followed` (registered with `audit.on_append`) works out which sites the written rows touch,
stores a `RecheckRequest` per site in the writer's transaction and, once it commits
(`transaction.on_commit`), queues the `recheck_pending` task unless one is waiting (`dedupe_key`). The
worker then drains every request so far in batches of sites, one engine run per batch
(`services.scan(sites=[...])`: each rule once over the batch, the same reconciliation as any run
restricted to those sites, so findings under enforcement keep their rules and findings of other
sites are untouched), and deletes the requests it handled in the same transaction. A burst of writes
to one site is one recheck.

Which sites a row touches, cheapest first:
- a site: itself; any row whose snapshot (before or after) carries `site_id`: that site, and the old
  one when it moved;
- a rule subject placed through a relation (an acceptance through its works), or a row pointing at
  one (a works document): the subject's site, one query per table;
- a unit: its sites; a product: the sites of the devices that use it.
Rows that are not facts (sign-ins, scan runs, refusals, the queue) are ignored; of the findings, only
a stage an officer sets (rectified closes when the data agrees). A transaction touching more sites
than JIFANG_RECHECK_MAX_SITES (an import) queues one full run instead.

Writers that keep no audit row per change (the video gateway's retention proofs) call
`request_sites(site_ids)` themselves.
"""
import re
from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import ForeignKey
from django.tasks import task
from django.utils import timezone

from jifang.core import audit
from jifang.jobs.models import QueuedTask, TaskStatus
from jifang.jobs.selectors import describe

from . import subjects

SITE_ID = re.compile(r'"site_id":(\d+)')
IGNORED_APPS = frozenset({"core", "accounts", "jobs", "axes", "auth", "sessions", "authtoken"})
IGNORED_TYPES = frozenset({"regulation.scanrun", "regulation.finding"})
FOLLOWED_ACTIONS = frozenset({"regulation.finding.stage"})
ALL = "all"
RECHECK_KEY = "regulation.recheck"


def _max_sites() -> int:
    return getattr(settings, "JIFANG_RECHECK_MAX_SITES", 1000)


def _ignored(entry: audit.Pending) -> bool:
    if entry.action in FOLLOWED_ACTIONS:
        return False
    if not entry.object_type or entry.action.endswith(".refused"):
        return True
    return entry.object_type in IGNORED_TYPES or entry.object_type.partition(".")[0] in IGNORED_APPS


def _site_path(model) -> str | None:
    """How rows of `model` reach their site: its own subject's path, or through a foreign key to a
    subject (a works document through its works); None when they do not."""
    for subject in subjects.all_subjects().values():
        if subject.model is model and subject.site:
            return subject.site
    for field in model._meta.concrete_fields:
        if isinstance(field, ForeignKey):
            for subject in subjects.all_subjects().values():
                if subject.model is field.related_model and subject.site and subject.site != "id":
                    return f"{field.name}__{subject.site}"
    return None


def _related_sites(label: str, ids: list[str]) -> Iterable[int]:
    from jifang.registry.models import Device, Site

    model = apps.get_model(label)
    pks = [int(i) for i in ids if i.isdigit()]
    if label == "registry.unit":
        return Site.objects.filter(unit_id__in=pks).values_list("pk", flat=True)
    if label == "registry.product":
        return Device.objects.filter(product_id__in=pks).values_list("site_id", flat=True).distinct()
    path = _site_path(model)
    if path is None:
        return []
    return model._default_manager.filter(pk__in=pks, **{f"{path}__isnull": False}).values_list(path, flat=True)


def sites_touched(entries: list[audit.Pending]) -> set[int] | str:
    """The sites the audited rows touch, or ALL when there are more than a recheck should take."""
    sites: set[int] = set()
    unplaced = defaultdict(list)
    for e in entries:
        if _ignored(e):
            continue
        if e.object_type == "registry.site" and e.object_id.isdigit():
            sites.add(int(e.object_id))
            continue
        found = {int(x) for text in (e.before, e.after) if text for x in SITE_ID.findall(text)}
        if found:
            sites |= found
        elif e.object_type not in ("registry.site",):
            unplaced[e.object_type].append(e.object_id)
    for label, ids in unplaced.items():
        try:
            sites.update(s for s in _related_sites(label, ids) if s is not None)
        except LookupError:  # a label that is not a model (an event without one)
            continue
        if len(sites) > _max_sites():
            return ALL
    return ALL if len(sites) > _max_sites() else sites


def followed(entries: list[audit.Pending]) -> None:
    """The audit listener: the requests are stored in the writer's transaction (they commit, or
    roll back, with the change: none lost between the two), the worker woken once it commits."""
    if not getattr(settings, "JIFANG_RECHECKS", True):
        return
    touched = sites_touched(entries)
    if touched == ALL:
        transaction.on_commit(lambda: request_sites(ALL))
    elif touched:
        _store(touched)
        transaction.on_commit(_wake)


def request_sites(site_ids: Iterable[int] | str) -> None:
    """Ask for a recheck of these sites (ALL: the whole registry); the worker does it within seconds."""
    if site_ids == ALL:
        recheck_all.get_backend().enqueue(recheck_all, [], {}, dedupe_key="regulation.recheck_all")
    elif _store(site_ids):
        _wake()


def _store(site_ids: Iterable[int]) -> int:
    from .models import RecheckRequest

    now = timezone.now()
    rows = [RecheckRequest(site_id=s, requested_at=now) for s in sorted(set(site_ids))]
    return len(RecheckRequest.objects.bulk_create(rows)) if rows else 0


def _wake() -> None:
    """Queue the recheck task unless it is waiting already. At 50 writes/s it nearly always is: one
    read instead of a refused insert (a task that starts right after the read still sees the
    requests, committed before it)."""
    if not QueuedTask.objects.filter(dedupe_key=RECHECK_KEY, status=TaskStatus.READY).exists():
        recheck_pending.get_backend().enqueue(recheck_pending, [], {}, dedupe_key=RECHECK_KEY)


@task(queue_name="rechecks")
def recheck_pending() -> dict:
    """Recheck every site asked for so far, a batch of up to JIFANG_RECHECK_BATCH sites per engine
    run (each rule once over the batch, one ScanRun and one audit row naming the sites). The
    requests a run handled are deleted in the transaction that commits its findings, so a failure
    loses none; a request that arrives meanwhile stays for the next batch."""
    done = {"sites": 0, "requests": 0, "runs": 0}
    while True:
        handled = _recheck_batch(settings.JIFANG_RECHECK_BATCH)
        if handled is None:
            return done
        done["sites"] += handled[0]
        done["requests"] += handled[1]
        done["runs"] += 1


@transaction.atomic
def _recheck_batch(size: int) -> tuple[int, int] | None:
    """One batch, one transaction: the oldest requests up to `size` distinct sites, rechecked in
    one run, then deleted; None when nothing is asked for."""
    from jifang.registry.models import Site

    from .models import RecheckRequest
    from .services import scan

    ids, sites = [], set()
    for pk, site in RecheckRequest.objects.order_by("id").values_list("id", "site_id")[:size * 4]:
        if site not in sites and len(sites) == size:
            break
        ids.append(pk)
        sites.add(site)
    if not ids:
        return None
    existing = list(Site.objects.filter(pk__in=sites).values_list("pk", flat=True))  # a deleted site: nothing to check
    if existing:
        run = scan(actor=None, sites=existing)
        run.counts["requests"] = ids  # which requests it answered: the latency benchmark reads them
        run.save(update_fields=["counts"])
    return len(existing), RecheckRequest.objects.filter(id__in=ids).delete()[0]


@task(queue_name="rechecks")
def recheck_all() -> dict:
    """A change too wide for site rechecks (an import of thousands of rows): one run over everything."""
    from .services import scan

    run = scan(actor=None)
    return {"run": run.pk}


describe(recheck_pending, "复查有变更的场所", "Recheck the sites that changed")
describe(recheck_all, "全面复查（大批量变更后）", "Recheck everything (after a large change)")
