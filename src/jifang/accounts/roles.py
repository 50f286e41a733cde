"""Roles. Kept apart from the models so that core.scoping can use them without importing models."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("platform administrator")
    CITY_OFFICER = "city_officer", _("city police officer")
    DISTRICT_OFFICER = "district_officer", _("district police officer")
    DEPARTMENT_OFFICER = "department_officer", _("officer of another department (read-only)")
    UNIT_USER = "unit_user", _("unit user")
    FIRM_USER = "firm_user", _("firm user")


POLICE_ROLES = {Role.CITY_OFFICER, Role.DISTRICT_OFFICER}
