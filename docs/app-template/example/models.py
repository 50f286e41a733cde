"""One record per system (replace with the app's own): scoped like the registry, copied columns kept
in step by core.copies."""
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jifang.core.copies import Copied
from jifang.core.scoping import ScopePaths


class ExampleRecord(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    system = models.ForeignKey("registry.SecuritySystem", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("security system"))
    site = models.ForeignKey("registry.Site", on_delete=models.PROTECT, related_name="+", editable=False)
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+", editable=False)
    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+", editable=False)
    happened_on = models.DateField(_("date"))
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    copied = Copied("system", ("site", "unit", "district"))
    scope = ScopePaths(district="district_id", unit="unit_id", writers=frozenset({"unit_user"}))
    natural_key_fields = ("number",)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["district", "id"]), models.Index(fields=["unit", "id"])]
        verbose_name = _("example record")
        verbose_name_plural = _("example records")

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("example:examplerecord_detail", args=[self.pk])
