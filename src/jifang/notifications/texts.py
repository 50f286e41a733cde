"""The words of a notification, made when it is read (in the reader's language) or sent (Chinese
first, then English). Dates as officials write them (2026年10月8日)."""
from __future__ import annotations

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Kind


def _due(n) -> str:
    return formats.date_format(n.due_on, "DATE_FORMAT") if n.due_on else ""


def _in_days(n) -> str:
    left = n.working_days_left
    if not left:
        return _("today")
    return ngettext("in %(n)d working day", "in %(n)d working days", left) % {"n": left}


def text(n) -> str:
    """What the notification says, in the active language."""
    values = {"subject": n.subject, "due": _due(n)}
    if n.kind == Kind.ORDER_SERVED:
        return _("Rectification order %(subject)s was served on your unit: correct by %(due)s.") % values
    if n.kind == Kind.ORDER_DEADLINE:
        return _("Rectification order %(subject)s must be corrected by %(due)s (%(when)s).") % {
            **values, "when": _in_days(n)}
    if n.kind == Kind.FILING_DUE:
        return _("Works %(subject)s must be filed by %(due)s (%(when)s).") % {**values, "when": _in_days(n)}
    if n.kind == Kind.ACCEPTANCE:
        return _("The acceptance of %(subject)s is on %(due)s (%(when)s): your office attends it.") % {
            **values, "when": _in_days(n)}
    return _("The unit answered rectification order %(subject)s: its items await your review.") % values


def bilingual_text(n) -> tuple[str, str]:
    """(subject, body) for a message sent beyond the platform: Chinese first, English under it."""
    parts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            parts.append((str(Kind(n.kind).label), text(n)))
    subject = f"{parts[0][0]} / {parts[1][0]}"
    link = settings.JIFANG_PUBLIC_BASE_URL.rstrip("/") + n.get_absolute_url()
    return subject, f"{parts[0][1]}\n{parts[1][1]}\n{link}"
