"""Camera baselines (Kunming art_21 point 4, art_22 point 2): a camera's position, direction and
purpose change only through a recorded, approved change.

`CameraRecord` is the evidence, append-only (core.guards): an approved baseline or change entered by
the unit (who approved it and when), or what someone found in place (an inspector during an
inspection, the unit's own check). `CameraBaseline` is one row per camera kept by the services from
those records: the approved position, direction and purpose in force, and the latest facts found in
place. The rules of rules/duties.yaml compare the two columns by column (set-based): facts found
after the approval that differ from it are an unapproved change."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jifang.core.scoping import ScopePaths
from jifang.core.writes import FIXED, OWNER, FieldWrites

from .models import KEEPERS, SiteCopies


class CameraRecordKind(models.TextChoices):
    APPROVED = "approved", _("approved baseline or change")
    FOUND = "found", _("found in place")


class CameraRecord(SiteCopies):
    """摄像设备位置、朝向和用途记录: one approved state of a camera, or the state found in place."""

    device = models.ForeignKey("registry.Device", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("camera"))
    system = models.ForeignKey("registry.SecuritySystem", on_delete=models.PROTECT, related_name="+",
                               editable=False, verbose_name=_("system"))
    kind = models.CharField(_("kind of record"), max_length=8, choices=CameraRecordKind.choices)
    position = models.CharField(_("position"), max_length=200)
    direction = models.CharField(_("direction and field of view"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=200)
    effective_at = models.DateTimeField(_("approved or found at"))
    reason = models.TextField(_("reason or remark"), max_length=2000, blank=True)
    approved_by_name = models.CharField(_("approved by (person responsible)"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                    editable=False, verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    # The unit keeps its cameras' baselines; its district police read them and record what they find.
    scope = ScopePaths(district="district_id", unit="unit_id", writers=KEEPERS)
    writes = FieldWrites({n: FIXED for n in ("device", "kind", "position", "direction", "purpose", "effective_at",
                                             "reason", "approved_by_name")},
                         on_create={n: OWNER for n in ("device", "kind", "position", "direction", "purpose",
                                                       "effective_at", "reason", "approved_by_name")})

    class Meta:
        ordering = ["-effective_at", "-id"]
        indexes = [models.Index(fields=["district", "effective_at"], name="duties_camrec_district_at"),
                   models.Index(fields=["unit", "effective_at"], name="duties_camrec_unit_at"),
                   models.Index(fields=["device", "effective_at"], name="duties_camrec_device_at")]
        verbose_name = _("camera position record")
        verbose_name_plural = _("camera position records")

    def __str__(self):
        return f"{self.get_kind_display()} {self.position}"


class CameraBaseline(SiteCopies):
    """One per camera: the approved baseline in force and the latest facts found in place."""

    device = models.OneToOneField("registry.Device", on_delete=models.PROTECT, related_name="camera_baseline",
                                  verbose_name=_("camera"))
    system = models.ForeignKey("registry.SecuritySystem", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("system"))
    position = models.CharField(_("approved position"), max_length=200)
    direction = models.CharField(_("approved direction and field of view"), max_length=200)
    purpose = models.CharField(_("approved purpose"), max_length=200)
    approved_at = models.DateTimeField(_("approved at"))
    approved = models.ForeignKey(CameraRecord, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("approval record"))
    found_position = models.CharField(_("position found"), max_length=200, blank=True)
    found_direction = models.CharField(_("direction found"), max_length=200, blank=True)
    found_purpose = models.CharField(_("purpose found"), max_length=200, blank=True)
    found_at = models.DateTimeField(_("found at"), null=True, blank=True)
    found = models.ForeignKey(CameraRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("record of what was found"))

    scope = ScopePaths(district="district_id", unit="unit_id")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["district", "id"], name="duties_cambase_district"),
                   models.Index(fields=["unit", "id"], name="duties_cambase_unit")]
        verbose_name = _("camera baseline")
        verbose_name_plural = _("camera baselines")

    def __str__(self):
        return f"{self.device} · {self.position}"
