"""Users, their roles and the jurisdictions (divisions) that bound what they see."""
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from jifang.core.scoping import ScopePaths

from jifang.core.divisions import CITY_CODE
from jifang.core.roles import OFFICERS, Role


class Division(models.Model):
    """A GB/T 2260 division: the city (530100) or one of its county-level districts."""

    code = models.CharField(_("division code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    # The divisions are public knowledge (GB/T 2260): every signed-in user may read them.
    scope = ScopePaths(public=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("division")
        verbose_name_plural = _("divisions")

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @property
    def is_city(self) -> bool:
        return self.code == CITY_CODE


class User(AbstractUser):
    """A person signing in. What they may see follows from role + division / units / firm
    (see core.scoping); a user with no role, or a role missing its anchor, sees nothing."""

    role = models.CharField(_("role"), max_length=24, choices=Role.choices, blank=True)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    division = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.PROTECT, related_name="users",
        verbose_name=_("jurisdiction"),
        help_text=_("for officers: 530100 for the city bureau, a district code for a district bureau"),
    )
    units = models.ManyToManyField("registry.Unit", blank=True, related_name="users", verbose_name=_("units"))
    firm = models.ForeignKey(
        "registry.Firm", null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("firm")
    )
    badge_number = models.CharField(_("police badge number"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    @property
    def is_police(self) -> bool:
        return self.role in OFFICERS

    @property
    def is_city_level(self) -> bool:
        return self.division_id == CITY_CODE
