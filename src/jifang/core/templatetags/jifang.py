"""Template helpers: render a model field path as officials expect to read it."""
import datetime as dt
import decimal

from django import template
from django.db.models import Model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


@register.filter
def cell(obj, path: str):
    """The display value of `path` ("site__unit__name") on obj: choices by label, booleans as
    是/否, dates as 2026年11月28日, missing values as —."""
    value = obj
    for name in path.split("__"):
        if value is None:
            return "—"
        field = _field(type(value), name) if isinstance(value, Model) else None
        if field is not None and field.choices and not field.is_relation:
            raw = getattr(value, name)
            if raw in (None, ""):
                return "—"
            value = getattr(value, f"get_{name}_display")()
        else:
            value = getattr(value, name, None)
    return shown(value)


def shown(value):
    """A plain value as the pages show it: booleans as 是/否, dates as 2026年11月28日, a division
    with its code, missing values as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        # Stored in UTC; people read Asia/Shanghai (TIME_ZONE), as the {{ x|date }} filter does.
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(value, Model) and value._meta.label_lower == "accounts.division":
        return division(value)
    return value


def field_at(model, path: str):
    """The field at the end of `path` ("part__area_kind") from `model`, or None."""
    field = None
    for name in path.split("__"):
        field = _field(model, name)
        if field is None:
            return None
        if field.is_relation:
            model = field.related_model
    return field


def division(value) -> str:
    """五华区（530102） in Chinese (the Division's own str); "Wuhua District (530102)" in English."""
    if (get_language() or "").startswith("en") and getattr(value, "name_en", ""):
        return f"{value.name_en} ({value.code})"
    return str(value)


@register.filter
def yuan(amount) -> str:
    """Money as officials write it: 5000元 (Chinese decisions write amounts ungrouped), 5,000 yuan
    in English; fractions of a yuan only when there are any."""
    if amount is None or amount == "":
        return "—"
    value = decimal.Decimal(str(amount))
    places = 0 if value == value.to_integral_value() else 2
    if (get_language() or "").startswith("en"):
        return f"{value:,.{places}f} yuan"
    return f"{value:.{places}f}元"


@register.filter
def model_name(model_or_obj) -> str:
    return model_or_obj._meta.model_name


@register.filter
def link_of(obj, path: str):
    """The detail URL of the object at the end of `path`, if it has one."""
    value = obj
    for name in path.split("__"):
        value = getattr(value, name, None)
        if value is None:
            return ""
    return value.get_absolute_url() if isinstance(value, Model) and hasattr(value, "get_absolute_url") else ""


@register.filter
def verbose(model_or_obj, path: str):
    """The verbose name of the last field in `path` (or of an annotated column the model names in
    `computed_labels`)."""
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    field = field_at(model, path)
    if field is None:
        return getattr(model, "computed_labels", {}).get(path.split("__")[-1], path)
    return field.verbose_name


@register.filter
def column_kind(model, path: str) -> str:
    """"choice" for a status-like column (shown as a chip), "short" for dates, flags and
    districts, "" for free text: the first two never wrap one character per line."""
    model = model if isinstance(model, type) else type(model)
    field = field_at(model, path)
    if field is None:
        return "short" if path in getattr(model, "short_columns", ()) else ""
    if field.choices and not field.is_relation:
        return "choice"
    if field.get_internal_type() in ("DateField", "DateTimeField", "BooleanField") or (
            field.is_relation and field.related_model._meta.label_lower == "accounts.division"):
        return "short"
    return ""


@register.simple_tag
def url_name(base: str, suffix: str) -> str:
    return f"{base}_{suffix}"


@register.filter
def period_note(day) -> str:
    """Beside a deadline: whether it was computed without its year's holiday arrangement (a
    provisional date, regulation.periods), else ""."""
    from jifang.regulation.periods import provisional_note

    return provisional_note(day) if isinstance(day, dt.date) else ""
