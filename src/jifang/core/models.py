"""Core records shared by every app: the base model and the append-only, hash-chained audit log."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class HashedJSONField(models.JSONField):
    """JSON kept in the very spelling that was hashed. The audit log hashes each row's before/after
    as canonical text (core.audit.json_text) and stores that text (core.bulk): on SQLite a JSON
    column is text already; on PostgreSQL jsonb would respell it (its own key order and spacing), so
    the column is text there too, and verification can rebuild every row's hashed text inside the
    database. Values read back are parsed, as from any JSONField."""

    def db_type(self, connection):
        return "text" if connection.vendor == "postgresql" else super().db_type(connection)


class AuditEntry(models.Model):
    """One change or sign-in: who, when, what, before and after.

    Rows are only ever appended (core.audit is the one writer). Each row's hash covers its content
    and the previous row's hash, so any later edit or deletion breaks the chain that
    `jifang audit verify` walks.
    """

    seq = models.BigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    district_code = models.CharField(_("district"), max_length=6, blank=True)
    before = HashedJSONField(_("before"), null=True, blank=True)
    after = HashedJSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        # Declared here rather than with db_index/unique on the fields: on PostgreSQL those add a
        # second, pattern-matching index per text column, which no query uses and every append pays.
        indexes = [models.Index(fields=["object_type", "object_id", "seq"]), models.Index(fields=["action"]),
                   models.Index(fields=["district_code"])]
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_entry_hash_unique")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_repr}"


class AuditHead(models.Model):
    """A single row holding the chain's tip (and the tip of the checkpoints' own chain); locking it
    serialises appends and checkpoints across nodes."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    checkpoint_number = models.BigIntegerField(default=0)
    checkpoint_digest = models.CharField(max_length=64, default="0" * 64)


class CheckpointReason(models.TextChoices):
    PERIODIC = "periodic", _("every N entries")
    DOCUMENT = "document", _("a signed document")
    SCHEDULED = "scheduled", _("scheduled (jifang audit checkpoint)")


class AuditCheckpoint(models.Model):
    """The platform key's signature over the audit chain's head at one moment (core.checkpoints).

    Checkpoints form a chain of their own (`prev` is the digest of the previous one's signed text),
    so removing one in the middle shows; exported (`jifang audit checkpoints export`) they let anyone
    holding the public key check the log, and a log cut back below an exported checkpoint shows too.
    """

    number = models.BigIntegerField(unique=True)
    seq = models.BigIntegerField(_("sequence"))
    hash = models.CharField(max_length=64)
    at = models.DateTimeField(_("time"))
    reason = models.CharField(max_length=16, choices=CheckpointReason.choices)
    prev = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=128)

    class Meta:
        ordering = ["number"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self):
        return f"checkpoint {self.number} at #{self.seq}"


class Submission(models.Model):
    """A create form's one-time token, claimed by the first POST that carries it (core/submissions.py):
    a repeated POST of the same form (a double click, a resent request) is answered with the first
    POST's result instead of creating a second record."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    result_url = models.CharField(max_length=500, blank=True, help_text="empty while the first POST is running")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="submission_token_unique")]
