"""Search-as-you-type pickers for related rows (sites, systems, parts, units, firms, products).

A form field whose model has a picker renders as a search box: typing asks `/pick/<kind>/?q=` for
at most PICK_LIMIT rows the user may see (through `visible`, like every read), each shown with its
code, name and address, so two sites with one name can be told apart. Choosing one fills a hidden
input with its id (or its natural key, for fields that take one). Apps register their models in
`AppConfig.ready()`: `pickers.register("site", Site, code="code", search=("name", "address"), ...)`.

A picker may be narrowed by another field of the same form: `within={"system": "site__systems"}`
lets a form say `narrow(form, "part", by="system")`, and the part box then sends the system already
chosen (its id or natural key, as that field takes it) and offers only the parts of its site.
"""
from dataclasses import dataclass
from urllib.parse import urlencode

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
    within: tuple = ()        # (form field, lookup to that field's model): narrowing by another choice

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


def register(kind: str, model, *, code: str, name: str = "name", place: str = "", search=(), exact=(), related=(),
             within=None):
    _PICKERS[kind] = Picker(kind, model, code, name, place, tuple(search), tuple(exact), tuple(related),
                            tuple((within or {}).items()))


def get(kind: str) -> Picker | None:
    return _PICKERS.get(kind)


def for_model(model) -> Picker | None:
    return next((p for p in _PICKERS.values() if p.model is model), None)


def narrowed(picker: Picker, params) -> Q:
    """The rows allowed by the other choices the form sent (`?system=12`, or `?system=SYS-1&system_by=code`
    for a field taking a natural key). A value that names nothing narrows to nothing."""
    q = Q()
    for name, lookup in picker.within:
        value = (params.get(name) or "").strip()[:100]
        if not value:
            continue
        target = picker.model._meta.get_field(lookup.split("__")[0]).related_model
        for step in lookup.split("__")[1:]:
            target = target._meta.get_field(step).related_model
        by = params.get(f"{name}_by") or "pk"
        if by != "pk" and by not in getattr(target, "natural_key_fields", ()):
            by = "pk"
        if by == "pk" and not value.isdigit():
            return Q(pk__in=[])
        q &= Q(**{f"{lookup}__{by}": value})
    return q


def search(user, picker: Picker, q: str, *, to_field: str | None = None, within: Q | None = None
           ) -> tuple[list[dict], bool]:
    """(rows, more): the first PICK_LIMIT rows in the user's scope that match `q`, in id order;
    `more` says there are others (the user types more instead of paging through thousands)."""
    qs = visible(user, picker.model)
    if within:
        qs = qs.filter(within)
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
        params = {"by": self.to_field} if self.to_field else {}
        params |= {f"{n}_by": by for n, by in self.narrowed_by.items() if by}
        context["widget"].update({
            "url": f"{url}?{urlencode(params)}" if params else url,
            "label": self._label(value), "kind": self.picker.kind,
            "include": ", ".join(f"[name='{n}']" for n in self.narrowed_by),
        })
        return context

    @property
    def narrowed_by(self) -> dict:
        return getattr(self, "_narrowed_by", {})

    def _label(self, value) -> str:
        if value in (None, ""):
            return ""
        if isinstance(value, Model):
            return self.picker.label(value)
        lookup = {self.to_field or "pk": value}
        obj = self.picker.joined(self.picker.model._default_manager.filter(**lookup)).first()
        return self.picker.label(obj) if obj is not None else str(value)


def narrow(form, name: str, *, by: str) -> None:
    """Let the picker of `form`'s field `name` send the choice of field `by` (the part box asks for
    the parts of the chosen system's site). The server filters: the script only sends the value."""
    if name not in form.fields or by not in form.fields:
        return
    widget, other = form.fields[name].widget, form.fields[by]
    if isinstance(widget, PickerWidget):
        key = other.to_field_name if other.to_field_name not in (None, "", "pk", "id") else ""
        widget._narrowed_by = {**widget.narrowed_by, by: key}
