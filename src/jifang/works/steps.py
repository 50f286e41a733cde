"""Which lifecycle steps to offer a user on a works page. This only decides which buttons to show;
the services check the same conditions again and are the authority."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import services as s
from .models import AcceptanceResult, WorksStatus


def _works_steps(user, works) -> list[tuple[str, str]]:
    builder, firm = s.is_builder(user, works), s.is_works_firm(user, works)
    status = works.status
    offers = [
        ("document", _("Upload a document"), builder or firm),
        ("review", _("Record a design review"), (builder or firm) and status == WorksStatus.REGISTERED),
        ("start", _("Start construction"), (builder or firm) and status == WorksStatus.DESIGN_APPROVED),
        ("worker", _("Name a person on the job"), firm),
        ("complete", _("Report completion"),
         firm and status in (WorksStatus.UNDER_CONSTRUCTION, WorksStatus.REWORK)),
        ("schedule", _("Schedule the completion acceptance"), builder and status == WorksStatus.COMPLETED),
        ("go_live", _("Put into use"), builder and status == WorksStatus.ACCEPTED),
        ("file", _("File the completed works (art. 16)"), firm and works.completed_on and not works.filed_on),
    ]
    return [(reverse(f"works:step_{key}", args=[works.pk]), label) for key, label, ok in offers if ok]


def _acceptance_steps(user, works, acceptances) -> list[tuple[str, str]]:
    out = []
    pending = next((a for a in acceptances if a.result == AcceptanceResult.PENDING), None)
    if pending is None:
        return out
    officer = s.is_district_officer(user, works.district_id)
    if officer and all(att.officer_id != user.pk for att in pending.attendances.all()):
        out.append((reverse("works:step_attend", args=[pending.pk]), _("Record attendance")))
    if officer or s.is_builder(user, works):
        out.append((reverse("works:step_result", args=[pending.pk]), _("Record the acceptance result")))
    return out


def available_steps(user, works, acceptances: list) -> list[tuple[str, str]]:
    """`acceptances`: the works' rounds with their attendances prefetched (selectors.acceptances_of)."""
    return _works_steps(user, works) + _acceptance_steps(user, works, acceptances)
