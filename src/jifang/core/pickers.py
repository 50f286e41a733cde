"""Search-as-you-type pickers for related rows (sites, systems, parts, units, firms, products).

A form field whose model has a picker renders as a search box: typing asks `/pick/<kind>/?q=` for
at most PICK_LIMIT rows the user may see (through `visible`, like every read), each shown with its
code, name and address, so two sites with one name can be told apart. Choosing one fills a hidden
input with its id (or its natural key, for fields that take one). Apps register their models in
`AppConfig.ready()`: `pickers.register("site", Site, code="code", search=("name", "address"), ...)`.
"""
from dataclasses import dataclass

from django import forms
from django.db.models import Model, Q
from django.urls import reverse

from .scoping import visible

PICK_LIMIT = 20


@dataclass(frozen=True)
class Picker:
    kind: str
    model: type[Model]
    code: str                 # the identifying column shown first (site code, credit code...)
    name: str                 # the name shown
    place: str                # the address (or the site a part or system belongs to)
    search: tuple             # columns matched by "contains"
    exact: tuple              # columns matched exactly (codes, whatever their case)
    related: tuple = ()       # select_related paths for name and place

    def joined(self, qs):
        """Join the rows that name and place read; none when there are none (an empty
        select_related() would join every foreign key, and is deprecated)."""
        return qs.select_related(*self.related) if self.related else qs

    def value(self, obj, path: str):
        for part in path.split("__"):
            obj = getattr(obj, part, None) if obj is not None else None
        return "" if obj is None else str(obj)

    def row(self, obj, to_field: str | None) -> dict:
        return {"value": getattr(obj, to_field) if to_field else obj.pk, "code": self.value(obj, self.code),
                "name": self.value(obj, self.name), "place": self.value(obj, self.place), "label": self.label(obj)}

    def label(self, obj) -> str:
        return " · ".join(v for v in (self.value(obj, self.code), self.value(obj, self.name)) if v)


_PICKERS: dict[str, Picker] = {}


def register(kind: str, model, *, code: str, name: str = "name", place: str = "", search=(), exact=(), related=()):
    _PICKERS[kind] = Picker(kind, model, code, name, place, tuple(search), tuple(exact), tuple(related))


def get(kind: str) -> Picker | None:
    return _PICKERS.get(kind)


def for_model(model) -> Picker | None:
    return next((p for p in _PICKERS.values() if p.model is model), None)


def search(user, picker: Picker, q: str, *, to_field: str | None = None) -> tuple[list[dict], bool]:
    """(rows, more): the first PICK_LIMIT rows in the user's scope that match `q`, in id order;
    `more` says there are others (the user types more instead of paging through thousands)."""
    qs = visible(user, picker.model)
    q = (q or "").strip()[:100]
    if q:
        match = Q()
        for path in picker.search:
            match |= Q(**{f"{path}__icontains": q})
        for path in picker.exact:
            match |= Q(**{path: q}) | Q(**{path: q.upper()})
        qs = qs.filter(match)
    rows = list(picker.joined(qs).order_by("pk")[: PICK_LIMIT + 1])
    return [picker.row(o, to_field) for o in rows[:PICK_LIMIT]], len(rows) > PICK_LIMIT


class PickerWidget(forms.Widget):
    """A search box and a hidden input holding the choice (see the module's docstring)."""

    template_name = "core/widgets/picker.html"

    def __init__(self, picker: Picker, to_field: str | None = None, attrs=None):
        super().__init__(attrs)
        self.picker, self.to_field = picker, to_field

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        url = reverse("pick", args=[self.picker.kind])
        context["widget"].update({
            "url": f"{url}?by={self.to_field}" if self.to_field else url,
            "label": self._label(value), "kind": self.picker.kind,
        })
        return context

    def _label(self, value) -> str:
        if value in (None, ""):
            return ""
        if isinstance(value, Model):
            return self.picker.label(value)
        lookup = {self.to_field or "pk": value}
        obj = self.picker.joined(self.picker.model._default_manager.filter(**lookup)).first()
        return self.picker.label(obj) if obj is not None else str(value)
