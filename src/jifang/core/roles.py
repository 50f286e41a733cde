"""Roles and the one definition of the role groups every app uses.

Kept apart from the models so that core.scoping can use them without importing models. The groups
answer three different questions, and the platform administrator belongs to the second and third only:

- `OFFICERS`: who takes acts of the police in their own name (issues orders, signs inspections and
  decisions, sends connection notices). The administrator runs the platform; they are not a police
  officer and sign nothing.
- `POLICE_AND_ADMIN`: who maintains records inside their area (the registry, scans, police-only
  fields). The administrator may, to correct data.
- `OFFICIALS`: who reads the officials' pages (queues, case files, city figures): the officers, the
  read-only officers of other departments and the administrator.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("platform administrator")
    CITY_OFFICER = "city_officer", _("city police officer")
    DISTRICT_OFFICER = "district_officer", _("district police officer")
    DEPARTMENT_OFFICER = "department_officer", _("officer of another department (read-only)")
    UNIT_USER = "unit_user", _("unit user")
    FIRM_USER = "firm_user", _("firm user")


OFFICERS = frozenset({Role.CITY_OFFICER, Role.DISTRICT_OFFICER})
POLICE_AND_ADMIN = OFFICERS | {Role.ADMIN}
OFFICIALS = POLICE_AND_ADMIN | {Role.DEPARTMENT_OFFICER}
# The roles whose scope is the city when anchored at 530100 (a district officer never is).
CITY_WIDE = frozenset({Role.ADMIN, Role.CITY_OFFICER, Role.DEPARTMENT_OFFICER})
