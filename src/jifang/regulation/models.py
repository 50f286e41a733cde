"""Findings: what the rule engine found, stored and reconciled run after run.

A finding is never a fine by itself: it records the clause, the facts and the sanction *path*
(first 责令限期改正, a fine only once that deadline has passed uncorrected). Enforcement moves
its `stage`; the engine moves only `status` (open / resolved) and the seen-dates.
"""
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jifang.core.scoping import ScopePaths, any_of

from . import labels


class Outcome(models.TextChoices):
    VIOLATION = "violation", _("violation")
    UNDETERMINED = "undetermined", _("undetermined (facts missing)")
    # A soft check on the records a unit keeps: not a violation, never a sanction, never enforced.
    ADVICE = "advice", _("advice")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("open")
    RESOLVED = "resolved", _("resolved")


class Stage(models.TextChoices):
    DETECTED = "detected", _("detected")
    ORDERED = "ordered", _("rectification ordered")
    OVERDUE = "overdue", _("overdue")
    DECIDED = "decided", _("penalty decided")
    RECTIFIED = "rectified", _("rectified")


class ScanRun(models.Model):
    """One run of the engine: as-of date, the area it covered, what it found."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    as_of = models.DateField(_("as of"))
    area = models.CharField(_("area"), max_length=64, blank=True, help_text=_("empty: whole registry"))
    actor_label = models.CharField(_("run by"), max_length=150, blank=True)
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("scan run")
        verbose_name_plural = _("scan runs")


class RuleWatermark(models.Model):
    """The latest run that evaluated one rule over one area: the whole registry (district "" and
    site 0), a district, or a site. One row per rule and area, overwritten by each run (a handful
    of rows per run, however many findings it sees again)."""

    pack_id = models.CharField(_("rule pack"), max_length=64)
    rule_id = models.CharField(_("rule"), max_length=64)
    district = models.CharField(_("district"), max_length=6, blank=True, help_text=_("empty: not a district run"))
    site_id = models.BigIntegerField(_("site"), default=0, help_text=_("0: not a one-site run"))
    run = models.ForeignKey(ScanRun, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField(_("as of"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pack_id", "rule_id", "district", "site_id"],
                                               name="rule_watermark_area_unique")]
        verbose_name = _("rule watermark")
        verbose_name_plural = _("rule watermarks")

    def __str__(self):
        return f"{self.pack_id}:{self.rule_id} {self.district or self.site_id or '*'} @ {self.as_of}"


def last_seen_expression():
    """A finding's last-seen date in SQL: the as-of date of the latest run that saw it.

    An open finding the runs still see was seen by every run that evaluated its rule over an area
    holding it (the whole registry, its district, its site) since its seen_from_run, because a run
    that missed it would have resolved it or marked it unseen. So its date is that of the latest
    such watermark; any other finding keeps the date recorded on it."""
    recorded = F("last_seen_recorded")
    holding = (Q(district="", site_id=0) | Q(district=OuterRef("district_id"), site_id=0)
               | Q(site_id=OuterRef("site_id")))
    marks = RuleWatermark.objects.filter(holding, pack_id=OuterRef("pack_id"), rule_id=OuterRef("rule_id"),
                                         run_id__gte=OuterRef("seen_from_run_id")).order_by("-run_id")
    latest = Coalesce(Subquery(marks.values("as_of")[:1]), recorded, output_field=models.DateField())
    still_seen = Q(status=FindingStatus.OPEN, unseen_since__isnull=True)
    return Case(When(still_seen, then=latest), default=recorded, output_field=models.DateField())


class FindingQuerySet(models.QuerySet):
    def with_last_seen(self):
        return self.annotate(last_seen=last_seen_expression())


class Finding(models.Model):
    pack_id = models.CharField(_("rule pack"), max_length=64)
    pack_version = models.CharField(_("pack version"), max_length=32)
    pack_checksum = models.CharField(_("pack checksum"), max_length=64)
    rule_id = models.CharField(_("rule"), max_length=64, db_index=True)
    clause_id = models.CharField(_("clause"), max_length=64, db_index=True, help_text=_("the main clause violated"))
    clauses = models.JSONField(_("clauses"), default=list, help_text=_("[{id, label, text}] for every clause cited"))
    subject_type = models.CharField(_("subject type"), max_length=32)
    subject_id = models.BigIntegerField(_("subject id"))
    subject_key = models.CharField(_("subject"), max_length=200, help_text=_("the subject's natural key"))
    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("district"))
    unit = models.ForeignKey("registry.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="findings",
                             verbose_name=_("unit"))
    site = models.ForeignKey("registry.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="findings",
                             verbose_name=_("site"))
    firm = models.ForeignKey("registry.Firm", null=True, blank=True, on_delete=models.PROTECT, related_name="findings",
                             verbose_name=_("firm"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.VIOLATION)
    facts = models.JSONField(_("facts"), default=dict)
    sanction = models.JSONField(
        _("sanction path"), default=dict,
        help_text=_("{article, first_measure, fines: [{target, unit_kind, min, max}]}; empty when the clause has no penalty"),
    )
    explanation_zh = models.TextField(_("explanation (Chinese)"))
    explanation_en = models.TextField(_("explanation (English)"))
    status = models.CharField(_("status"), max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.DETECTED)
    fingerprint = models.CharField(max_length=200, help_text="pack:rule:clause:subject_type:subject_id:outcome")
    first_seen = models.DateField(_("first seen"))
    # The last sighting written on the row: when the finding was made, when it was seen again after
    # going unseen, or (frozen) when a run stopped seeing it. While a finding stays open and seen,
    # every later evaluation of its rule over its area sees it too, and those runs leave their date
    # once per rule in RuleWatermark instead of rewriting every open finding: read `last_seen`
    # through Finding.objects.with_last_seen().
    last_seen_recorded = models.DateField(_("last seen (recorded)"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    # A finding under enforcement (stage past detected) is not resolved by the engine: the scan
    # only records the date it stopped seeing the violation, as evidence for the officer.
    unseen_since = models.DateField(_("no longer seen since"), null=True, blank=True)
    # Enforcement copies the order's time limit here (the last day to correct), so that the engine
    # can tell a violation corrected in time that comes back (a recurrence: a new finding) from one
    # that was never corrected.
    correct_by = models.DateField(_("correct by"), null=True, blank=True)
    # A violation that came back after it was rectified (or corrected in time) is a new finding,
    # linked to the one it recurs after; it needs a new order before any fine.
    recurrence_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="recurrences", verbose_name=_("recurrence of"))
    first_run = models.ForeignKey(ScanRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The run from which on the watermarks count as sightings (the run that made the finding or saw
    # it again). Not indexed: only compared inside the last-seen subqueries.
    seen_from_run = models.ForeignKey(ScanRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                      db_index=False)

    objects = FindingQuerySet.as_manager()

    # Scope follows the site (docs/scoping.md): the district that recorded the finding keeps it, the
    # district where the site lies now sees it; the unit it names keeps it (its own history, its
    # orders), and the site's new owner sees the ones not yet under enforcement, which it must correct.
    scope = ScopePaths(
        district=any_of("district_id", "site__district_id"),
        unit=lambda ids: Q(unit_id__in=ids) | Q(site__unit_id__in=ids, stage=Stage.DETECTED),
        firm="firm_id",
    )
    # Columns that are annotations, not fields (list headers read their labels here)
    computed_labels = {"last_seen": _("last seen"), "clause_label": _("clause"), "rule_title": _("rule"),
                       "subject_label": _("subject"), "subject_type_label": _("subject type"),
                       "pack_title": _("rule pack")}
    short_columns = ("clause_label",)  # never wrapped one character per line

    class Meta:
        ordering = ["id"]
        constraints = [
            # At most one open finding per rule and subject; a resolved one that recurs is a new finding.
            models.UniqueConstraint(
                fields=["fingerprint"], condition=models.Q(status="open"), name="finding_open_fingerprint_unique"
            )
        ]
        indexes = [
            models.Index(fields=["district", "status", "clause_id"]),
            models.Index(fields=["site", "status"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["fingerprint"]),
        ]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self):
        return f"{self.clause_label} · {self.subject_key}"

    @property
    def clause_label(self) -> str:
        """The main clause as officials cite it (第十九条第一款 / Art. 19), in the page's language."""
        stored = next((c["label"] for c in self.clauses if c.get("id") == self.clause_id), "")
        return labels.clause_label(self.clause_id, stored, self.pack_id)

    @property
    def rule_title(self) -> str:
        return labels.rule_title(self.rule_id)

    @property
    def subject_type_label(self) -> str:
        return labels.subject_type_label(self.subject_type)

    @property
    def subject_label(self) -> str:
        """What the finding is about, for people: 设备 “大堂摄像机” HK-0001 (the kind, the name the
        facts carry, the natural key); the site has its own column."""
        name = (self.facts or {}).get("name")
        named = f"“{name}” " if name and name != self.subject_key else ""
        return f"{self.subject_type_label} {named}{self.subject_key}"

    @property
    def pack_title(self) -> str:
        return labels.pack_title(self.pack_id)

    def get_absolute_url(self):
        return reverse("regulation:finding_detail", args=[self.pk])


class RecheckRequest(models.Model):
    """A site whose facts changed since its findings were last reconciled (regulation.rechecks).
    Written after the change commits, drained by the `recheck_pending` task: many rows for one site
    become one recheck."""

    site_id = models.BigIntegerField(_("site"))
    requested_at = models.DateTimeField(_("requested at"))

    class Meta:
        verbose_name = _("recheck request")
        verbose_name_plural = _("recheck requests")

    def __str__(self):
        return f"site {self.site_id} @ {self.requested_at:%Y-%m-%d %H:%M:%S}"
