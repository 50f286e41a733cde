"""监督检查 inspections, rectification orders and penalty decisions (art_23-25).

Every record here is written by `enforcement.services` only. Inspections, orders, notices and
decisions are *sealed*: once signed, the SHA-256 of their canonical content is fixed and each
signature (Ed25519, per officer) covers it; `signing.verify` recomputes the hash from the rows, so
a record altered directly in the database fails verification.
"""
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jifang.core.copies import Copied
from jifang.core.scoping import ScopePaths, any_of
from jifang.regulation import labels

WRITERS_UNIT = frozenset({"unit_user"})


def _not_for_districts(code) -> Q:
    """Complaints go to the city level (art_23 para 3): a district bureau, whose own inspection is
    complained of, does not see them; the city sees all (scoping gives the city no filter)."""
    return Q(pk__in=[])


def _orders_at_sites_in(district) -> Q:
    """Orders about a finding at a site that lies in `district` now (a subquery: no row multiplies)."""
    return Q(pk__in=OrderItem.objects.filter(finding__site__district_id=district).values("order_id"))


def _cases_at_sites_in(district) -> Q:
    # a case opened at once (no order) reaches its site through the inspection: a foreign key, no row multiplies
    return (Q(order_id__in=OrderItem.objects.filter(finding__site__district_id=district).values("order_id"))
            | Q(inspection__site__district_id=district))


def new_verify_code() -> str:
    # Printed on each document; unguessable so a code alone does not enumerate records.
    return secrets.token_hex(8)


class DocumentKind(models.TextChoices):
    """The documents an office numbers per district and year; the letter goes into the number."""

    INSPECTION = "inspection", _("inspection record")
    ORDER = "order", _("rectification notice")
    NOTICE = "notice", _("notice of intended penalty")
    DECISION = "decision", _("penalty decision")


class DocumentCounter(models.Model):
    """The last number issued per district, year and kind (locked while numbering)."""

    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "year", "kind"], name="doccounter_unique")]


class OfficerKey(models.Model):
    """An officer's Ed25519 key pair. The private key is kept encrypted (see enforcement.signing);
    the platform key signs the enrolment (officer, public key, time), so a key swapped in the
    database is not the officer's key."""

    officer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signing_key")
    public_key = models.CharField(_("public key"), max_length=64, help_text=_("raw Ed25519 public key, hex"))
    fingerprint = models.CharField(_("key fingerprint"), max_length=16, unique=True)
    private_key_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), null=True)
    enrolment_key_id = models.CharField(max_length=16, blank=True, help_text=_("the platform key that enrolled it"))
    enrolment_signature = models.CharField(max_length=128, blank=True)

    class Meta:
        verbose_name = _("officer signing key")
        verbose_name_plural = _("officer signing keys")


class SealedRecord(models.Model):
    """Common columns of a record that is numbered, signed and then never changes."""

    number = models.CharField(_("document number"), max_length=64, unique=True)
    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("district"))
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    sealed_hash = models.CharField(_("record hash"), max_length=64, blank=True,
                                   help_text=_("SHA-256 of the canonical record, fixed at the first signature"))
    verify_code = models.CharField(_("verification code"), max_length=16, unique=True, default=new_verify_code)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope = ScopePaths(district="district_id", unit="unit_id")

    class Meta:
        abstract = True

    @property
    def is_sealed(self) -> bool:
        return bool(self.sealed_hash)


class InspectionKind(models.TextChoices):
    PLANNED = "planned", _("planned inspection")
    AD_HOC = "ad_hoc", _("ad hoc inspection")


class Inspection(SealedRecord):
    """监督检查 (art_23 para 1): what the inspectors saw, recorded and signed by each of them."""

    site = models.ForeignKey("registry.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices, default=InspectionKind.PLANNED)
    inspected_on = models.DateField(_("inspected on"))
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("inspectors"))
    observations = models.TextField(_("observations"), blank=True)
    result = models.TextField(_("handling result"), blank=True,
                              help_text=_("what the inspectors decided on the spot (art_23 para 1)"))
    amends = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments",
                               verbose_name=_("amends"))

    # The district that inspected keeps its record; the district where the site lies now sees the
    # site's whole file; the inspected unit keeps it (its party rights, art_23 para 3): docs/scoping.md.
    copied = Copied("site", ("unit", "district"), follow=False)  # signed: fixed when made
    scope = ScopePaths(district=any_of("district_id", "site__district_id"), unit="unit_id")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["district", "id"]), models.Index(fields=["unit", "id"])]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("enforcement:inspection_detail", args=[self.pk])


class ItemResult(models.TextChoices):
    NOT_CHECKED = "not_checked", _("not checked")
    COMPLIANT = "compliant", _("compliant")
    VIOLATION = "violation", _("violation")
    NOT_APPLICABLE = "not_applicable", _("not applicable")


class ChecklistItem(models.Model):
    """One line of the checklist, citing the clause it checks (text copied from the pack)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    clause_id = models.CharField(_("clause"), max_length=64)
    label_zh = models.CharField(_("clause label"), max_length=64)
    text_zh = models.TextField(_("clause text"))
    result = models.CharField(pgettext_lazy("checklist item", "result"), max_length=16, choices=ItemResult.choices,
                              default=ItemResult.NOT_CHECKED)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "clause_id"], name="checklist_clause_unique")]


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to="enforcement/photos/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]


class FindingSource(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed from the engine")
    RAISED = "raised", _("raised by hand")


class InspectionFinding(models.Model):
    """A finding the inspection confirmed (the engine had it) or raised by hand."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="finding_links")
    finding = models.ForeignKey("regulation.Finding", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(pgettext_lazy("inspection finding", "source"), max_length=16,
                              choices=FindingSource.choices)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "finding"], name="inspection_finding_unique")]


class Signature(models.Model):
    """An officer's Ed25519 signature over a sealed record's hash. `record_type` is the model label."""

    record_type = models.CharField(max_length=32)
    record_id = models.BigIntegerField()
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("signer"))
    public_key = models.CharField(max_length=64)
    key_fingerprint = models.CharField(_("key fingerprint"), max_length=16)
    record_hash = models.CharField(max_length=64)
    signature = models.CharField(max_length=128)
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["record_type", "record_id"])]
        constraints = [models.UniqueConstraint(fields=["record_type", "record_id", "signer"], name="signature_once")]

    @property
    def code(self) -> str:
        """The short code printed on documents next to the signer's name."""
        return self.signature[:16].upper()


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("awaiting the city bureau's answer")
    ANSWERED = "answered", _("answered by the city bureau")


class InspectionComplaint(models.Model):
    """A unit's complaint about how an inspection was done (art_23 para 3); the city bureau answers."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="complaints",
                                   verbose_name=_("inspection"))
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    text = models.TextField(_("complaint"))
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lodged_at = models.DateTimeField(_("lodged at"))
    status = models.CharField(_("status"), max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    copied = Copied("inspection", ("unit",), follow=False)
    # Complaints go to the city level: district officers, whose inspection is complained of, do not see them.
    scope = ScopePaths(district=_not_for_districts, unit="unit_id", writers=WRITERS_UNIT)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")


class OrderStatus(models.TextChoices):
    SERVED = "served", _("served")
    ANSWERED = "answered", _("answered by the unit")
    CLOSED = "closed", _("closed")


class RectificationOrder(SealedRecord):
    """责令限期改正 (art_23 para 2, art_24, art_25): one or more findings, one deadline, served in the platform."""

    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="orders",
                                   verbose_name=_("inspection"))
    deadline = models.DateField(_("correction deadline"))
    deadline_is_policy_default = models.BooleanField(
        _("deadline from local policy default"), default=False,
        help_text=_("the default period is local policy (settings), not a term set by the regulation"))
    requirements = models.TextField(_("what must be corrected"), blank=True)
    served_at = models.DateTimeField(_("served at"))
    status = models.CharField(_("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.SERVED)
    response = models.TextField(_("unit's answer"), blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    scope = ScopePaths(district=any_of("district_id", _orders_at_sites_in), unit="unit_id", writers=WRITERS_UNIT)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["district", "status", "deadline"]), models.Index(fields=["unit", "id"])]
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("enforcement:order_detail", args=[self.pk])


class ItemOutcome(models.TextChoices):
    PENDING = "pending", _("pending review")
    RECTIFIED = "rectified", _("rectified")
    NOT_RECTIFIED = "not_rectified", _("not rectified")


class OrderItem(models.Model):
    order = models.ForeignKey(RectificationOrder, on_delete=models.PROTECT, related_name="items")
    finding = models.ForeignKey("regulation.Finding", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(pgettext_lazy("order item", "outcome"), max_length=16, choices=ItemOutcome.choices,
                               default=ItemOutcome.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["order", "finding"], name="orderitem_unique")]


class OrderEvidence(models.Model):
    """A file the unit attaches to its answer (photos, PDFs of registers)."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("evidence"), upload_to="enforcement/evidence/%Y/%m/")
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class CaseStatus(models.TextChoices):
    NOTIFIED = "notified", _("notice of intended penalty served")
    STATEMENT = "statement", _("statement and defence recorded")
    DECIDED = "decided", _("decided")


class PenaltyCase(SealedRecord):
    """A penalty procedure: notice, statement and defence, decision. Either on overdue findings of
    one order (Kunming art_24/25 and every sanction with `order_first`), or, where the law fines at
    once (order 799 art. 27 para. 1, art. 28: 没收…删除…并处罚款), on findings confirmed at one signed
    inspection, with no order before it. Exactly one of `order` and `inspection` is set.

    The case's own sealed columns are the notice (行政处罚告知); the decision is a sealed record of
    its own (`PenaltyDecision`), so deciding never changes what the notice said.
    """

    order = models.ForeignKey(RectificationOrder, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="penalty_cases", verbose_name=_("rectification order"))
    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="penalty_cases", verbose_name=_("inspection"),
                                   help_text=_("the signed inspection that confirmed a violation fined at once"))
    findings = models.ManyToManyField("regulation.Finding", related_name="+", verbose_name=_("findings"))
    article = models.CharField(_("penalty article"), max_length=16)
    unit_kind = models.CharField(_("unit kind at the time"), max_length=16)
    facts = models.TextField(pgettext_lazy("penalty case", "facts"))
    notice_served_at = models.DateTimeField(_("notice served at"))
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.NOTIFIED)
    statement = models.TextField(_("statement and defence"), blank=True)
    statement_waived = models.BooleanField(_("unit waived its statement"), default=False)
    statement_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    statement_at = models.DateTimeField(_("statement recorded at"), null=True, blank=True)

    # signed: fixed when made; a case opened at once copies the same columns from its inspection
    copied = Copied("order", ("unit", "district"), follow=False)
    scope = ScopePaths(district=any_of("district_id", _cases_at_sites_in), unit="unit_id", writers=WRITERS_UNIT)
    computed_labels = {"article_label": _("penalty article")}

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["district", "status"]), models.Index(fields=["unit", "id"])]
        constraints = [models.CheckConstraint(
            condition=Q(order__isnull=False, inspection__isnull=True) | Q(order__isnull=True, inspection__isnull=False),
            name="penaltycase_order_or_inspection")]
        verbose_name = _("penalty case")
        verbose_name_plural = _("penalty cases")

    def __str__(self):
        return self.number

    @property
    def article_label(self) -> str:
        """第二十五条 / Art. 25: the article as the decision cites it."""
        return labels.article_label(self.article)

    def get_absolute_url(self):
        return reverse("enforcement:case_detail", args=[self.pk])

    @property
    def at_once(self) -> bool:
        """Opened without an order (the law fines together with the first measures)."""
        return self.order_id is None


class PenaltyDecision(SealedRecord):
    """行政处罚决定 (art_24, art_25): a new sealed record after the notice and the statement; its
    facts are its own (the notice's stay as they were served), the statement is copied as heard.
    `created_by` is the deciding officer; the decided amounts are the case's `decision` amounts."""

    case = models.OneToOneField(PenaltyCase, on_delete=models.PROTECT, related_name="decision",
                                verbose_name=_("penalty case"))
    facts = models.TextField(pgettext_lazy("penalty case", "facts"))
    statement = models.TextField(_("statement and defence"), blank=True)
    statement_waived = models.BooleanField(_("unit waived its statement"), default=False)
    decided_at = models.DateTimeField(_("decided at"))
    served_at = models.DateTimeField(_("decision served at"))

    # as its case: the deciding district and the party keep it, the site's district now sees it
    scope = ScopePaths(district=any_of("district_id", lambda d: Q(case__in=PenaltyCase.objects.filter(
        _cases_at_sites_in(d)).values("pk"))), unit="unit_id")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("penalty decision")
        verbose_name_plural = _("penalty decisions")

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("enforcement:case_detail", args=[self.case_id])


class AmountStage(models.TextChoices):
    NOTICE = "notice", _("intended")
    DECISION = "decision", _("decided")


class FineTarget(models.TextChoices):
    UNIT = "unit", _("unit")
    PERSON_IN_CHARGE = "person_in_charge", _("person in charge")
    PERSON_DIRECTLY_RESPONSIBLE = "person_directly_responsible", _("person directly responsible")


class PenaltyAmount(models.Model):
    """An amount per target, once as intended (notice) and once as decided; persons by name."""

    case = models.ForeignKey(PenaltyCase, on_delete=models.PROTECT, related_name="amounts")
    stage = models.CharField(max_length=16, choices=AmountStage.choices)
    target = models.CharField(_("target"), max_length=32, choices=FineTarget.choices)
    person_name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "stage", "target"], name="penaltyamount_unique")]
