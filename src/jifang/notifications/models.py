"""A notification is a row per recipient, derived from another app's record and keyed so that the
same reminder is never made twice (one unique key per user: several reminder runs, on several
nodes, insert it once). Its text is not stored: it is worded when it is read, in the reader's
language, from the kind and the copied facts (number, date, working days left)."""
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    ORDER_SERVED = "order_served", _("rectification order served on my unit")
    ORDER_DEADLINE = "order_deadline", _("rectification deadline approaching")
    FILING_DUE = "filing_due", _("works filing due")
    ACCEPTANCE = "acceptance", _("acceptance my district attends")
    ANSWER_REVIEW = "answer_review", _("answer awaiting my review")


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("text message")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    # e.g. "order.deadline:42:3": the object and the reminder stage; unique per user
    key = models.CharField(max_length=80)
    subject = models.CharField(_("subject"), max_length=64, help_text=_("the number or code of the record"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    working_days_left = models.PositiveSmallIntegerField(null=True, blank=True)
    # The record it is about: exactly one of these (the inbox shows it only while the user may see it)
    order = models.ForeignKey("enforcement.RectificationOrder", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    works = models.ForeignKey("works.Works", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acceptance = models.ForeignKey("works.Acceptance", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_user"),
            models.CheckConstraint(
                condition=(models.Q(order__isnull=False, works__isnull=True, acceptance__isnull=True)
                           | models.Q(order__isnull=True, works__isnull=False, acceptance__isnull=True)
                           | models.Q(order__isnull=True, works__isnull=True, acceptance__isnull=False)),
                name="notification_one_object"),
        ]
        indexes = [models.Index(fields=["user", "read_at", "id"]), models.Index(fields=["kind", "order"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.subject}"

    def get_absolute_url(self):
        if self.order_id:
            return reverse("enforcement:order_detail", args=[self.order_id])
        return reverse("works:works_detail", args=[self.works_id or self.acceptance.works_id])


class Preference(models.Model):
    """One user's choice for one kind. Without a row: shown in the inbox, sent nowhere else."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    enabled = models.BooleanField(_("notify me"), default=True)
    email = models.BooleanField(_("by e-mail"), default=False)
    sms = models.BooleanField(_("by text message"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_once_per_kind")]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery", "waiting")
    SENT = "sent", pgettext_lazy("delivery", "sent")
    FAILED = "failed", pgettext_lazy("delivery", "failed")


class Delivery(models.Model):
    """One notification sent through one channel. The unique pair is the claim: two delivery runs
    never send one notification twice through one channel."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=254)
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel")]
        indexes = [models.Index(fields=["status", "id"])]
