"""Findings: what the rule engine found, stored and reconciled run after run.

A finding is never a fine by itself: it records the clause, the facts and the sanction *path*
(first 责令限期改正, a fine only once that deadline has passed uncorrected). Enforcement moves
its `stage`; the engine moves only `status` (open / resolved) and the seen-dates.
"""
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jifang.core.scoping import ScopePaths


class Outcome(models.TextChoices):
    VIOLATION = "violation", _("violation")
    UNDETERMINED = "undetermined", _("undetermined (facts missing)")


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
    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("registry.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="findings")
    site = models.ForeignKey("registry.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="findings")
    firm = models.ForeignKey("registry.Firm", null=True, blank=True, on_delete=models.PROTECT, related_name="findings")
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
    last_seen = models.DateField(_("last seen"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    # A finding under enforcement (stage past detected) is not resolved by the engine: the scan
    # only records the date it stopped seeing the violation, as evidence for the officer.
    unseen_since = models.DateField(_("no longer seen since"), null=True, blank=True)
    first_run = models.ForeignKey(ScanRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Not indexed: every scan rewrites last_run and last_seen on each finding it sees again, and
    # without an index on either column PostgreSQL can update those rows in place (HOT).
    last_run = models.ForeignKey(ScanRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 db_index=False)

    scope = ScopePaths(district="district_id", unit="unit_id", firm="firm_id")

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
        return f"{self.clause_id} · {self.subject_key}"

    def get_absolute_url(self):
        return reverse("regulation:finding_detail", args=[self.pk])
