"""Registry-driven generic views: a concrete list, detail or edit page is a few declarations.

Every view reads through `scoping.visible` (an object outside the user's scope is a 404, not a
403, so its existence does not leak) and writes only through the app's service functions."""
import contextlib
import datetime as dt
from dataclasses import dataclass

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Model
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from . import audit, writes
from .actions import REFUSED, attempt
from .audit import action_label
from .forms import bootstrapify, correction_form
from .pagination import bounded_count, keyset_page, parse_page_size
from .roles import POLICE_AND_ADMIN, Role
from .scoping import can_write, get_visible, own_districts, visible
from .services import correct_object
from .templatetags.jifang import shown


@dataclass(frozen=True)
class Link:
    """A button on a detail page to another app's view of the object (its findings, its case file).
    `query` names a filter parameter (…?site=<pk>); without it the URL takes the pk as argument.
    `roles` limits who is shown the button (the target view enforces scope regardless)."""

    label: str
    url_name: str
    query: str = ""
    roles: frozenset | None = None
    more: str = ""  # further fixed filters, e.g. "outcome=advice&status=open"

    def href(self, obj) -> str:
        from django.urls import reverse

        if self.query:
            return f"{reverse(self.url_name)}?{self.query}={obj.pk}" + (f"&{self.more}" if self.more else "")
        return reverse(self.url_name, args=[obj.pk])


@dataclass(frozen=True)
class Related:
    """A table of related rows on a detail page, e.g. a site's systems."""

    title: str
    model: type[Model]
    lookup: str               # field on `model` pointing at the detail object, e.g. "site"
    columns: tuple[str, ...]
    list_url: str = ""        # url name of the filtered full list, e.g. "registry:securitysystem_list"
    list_param: str = ""      # its filter parameter, e.g. "site"
    limit: int = 20
    add_url: str = ""         # url name of the add page, prefilled with ?<add_param>=<detail pk>
    add_param: str = ""
    add_label: str = ""       # the add button's text, e.g. "Add a device here"
    select_related: tuple[str, ...] = ()


def related_paths(model, columns, extra=()) -> list[str]:
    """Every relation a set of column paths crosses ("site__unit" -> site, site__unit), for
    select_related: a list renders without one query per row. `extra` adds paths a row's __str__
    follows (a site part prints its site's name)."""
    paths = set(extra)
    for col in columns:
        current, prefix = model, []
        for name in col.split("__"):
            try:
                field = current._meta.get_field(name)
            except Exception:
                break
            if not (field.is_relation and (field.many_to_one or field.one_to_one)):
                break
            prefix.append(name)
            paths.add("__".join(prefix))
            current = field.related_model
    return sorted(paths)


def may_create(user, model, roles=None) -> bool:
    """can_write for a new row, narrowed to `roles` where a view knows better (a unit user may
    edit their unit but cannot register a new one: it would not be theirs)."""
    return can_write(user, model) and (roles is None or user.role in roles)


# Bookkeeping columns every change touches; showing them in a history adds nothing.
_HISTORY_SKIP = {"id", "created_at", "updated_at"}


@dataclass(frozen=True)
class Change:
    label: str
    before: object
    after: object


def _display(field, value):
    """A snapshot value as people read it: choices by label, dates as officials write them; a
    structured value (the sanction path, facts) is shown on the page itself, not as its keys."""
    if value is None or value == "":
        return "—"
    if field is not None and field.choices and not field.is_relation:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (dict, list)):
        return _("(recorded)")
    if isinstance(field, (models.DateTimeField, models.DateField)) and isinstance(value, str):
        with contextlib.suppress(ValueError):
            parsed = (dt.datetime if isinstance(field, models.DateTimeField) else dt.date).fromisoformat(value)
            return shown(parsed)
    return value


def describe_changes(model, before: dict | None, after: dict | None) -> list[Change]:
    """What an audit row changed, field by field, with verbose names and choice labels."""
    before, after = before or {}, after or {}
    fields = {f.attname: f for f in model._meta.concrete_fields}
    changes = []
    for attname in sorted(set(before) | set(after), key=lambda n: list(fields).index(n) if n in fields else 999):
        if attname in _HISTORY_SKIP or before.get(attname) == after.get(attname):
            continue
        field = fields.get(attname)
        if field is None or field.verbose_name == field.name.replace("_", " "):
            continue  # bookkeeping columns without a label (a fingerprint) mean nothing to a reader
        label = field.verbose_name
        changes.append(Change(label, _display(field, before.get(attname)), _display(field, after.get(attname))))
    return changes


def object_history(obj: Model, *, limit: int = 20) -> list[dict]:
    """The newest audit rows about `obj`, in one query (the actor's name is stored on the row).
    Callers must have read `obj` through get_visible: the history is as visible as the object."""
    from .models import AuditEntry

    rows = AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).only(
        "seq", "at", "actor_label", "action", "before", "after", "note"
    ).order_by("-seq")[:limit]
    return [{"entry": e, "verb": e.action.rsplit(".", 1)[-1], "action": action_label(e.action),
             "changes": describe_changes(type(obj), e.before, e.after) if e.before else []} for e in rows]


def _url_base(model) -> str:
    return f"{model._meta.app_label}:{model._meta.model_name}"


def may_correct(user, obj: Model) -> bool:
    """The police inside their area and administrators correct what only a procedure establishes."""
    return bool(writes.correctable(type(obj))) and user.role in POLICE_AND_ADMIN and can_write(user, type(obj), obj)


@dataclass(frozen=True)
class FactOrigin:
    label: str      # the facts: "the completion acceptance (art. 14)"
    how: str        # "imported history", "corrected", "recorded by the procedure"
    entry: object   # the audit row


def fact_origins(obj: Model, *, limit: int = 200) -> list[FactOrigin]:
    """Where the object's reserved facts (core/writes.py) come from now: the newest audit row that
    wrote each group of them (a procedure's step, a correction with its reason, imported history).
    One query; callers have read `obj` through get_visible."""
    from .models import AuditEntry

    model = type(obj)
    attnames = {f.name: f.attname for f in model._meta.concrete_fields}

    def holds(values: dict, tier, names) -> bool:
        return any(values.get(attnames[n]) not in (None, "", False)
                   and writes.tier_of(model, n, values.get(attnames[n]), creating=False) == tier for n in names)

    current = audit.snapshot(obj)
    groups = {tier: names for tier, names in writes.fact_groups(model).items() if holds(current, tier, names)}
    if not groups:
        return []
    rows = AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).only(
        "seq", "at", "actor_label", "action", "before", "after", "note").order_by("-seq")[:limit]
    found = {}
    for entry in rows:
        before, after = entry.before or {}, entry.after or {}
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        for tier, names in groups.items():
            if tier not in found and holds(changed, tier, names):
                found[tier] = FactOrigin(tier_label(tier), origin_label(entry.action), entry)
    return list(found.values())


def tier_label(tier) -> str:
    from django.utils.translation import get_language

    return tier.zh if (get_language() or "").startswith("zh") else tier.en


def origin_label(action: str) -> str:
    verb = action.rsplit(".", 1)[-1]
    if verb == "history":
        return _("imported history")
    if verb == "correct":
        return _("corrected")
    if verb in ("create", "update"):
        return _("recorded by an edit")
    return _("recorded by the procedure")


class ObjectListView(LoginRequiredMixin, View):
    model: type[Model]
    filterset_class = None
    columns: tuple[str, ...] = ()
    select_related: tuple[str, ...] = ()   # extra paths for columns whose __str__ crosses a relation
    create_roles: frozenset | None = None  # see may_create
    template_name = "core/object_list.html"
    page_size = 50

    def queryset(self, request):
        qs = visible(request.user, self.model)
        paths = related_paths(self.model, self.columns, self.select_related)
        return qs.select_related(*paths) if paths else qs

    def can_create(self, request) -> bool:
        return may_create(request.user, self.model, self.create_roles)

    def filtered(self, request, qs):
        """(filterset, rows): an invalid filter shows nothing rather than everything."""
        if not self.filterset_class:
            return None, qs
        filterset = self.filterset_class(request.GET or None, queryset=qs)
        bootstrapify(filterset.form)
        _hide_id_filters(filterset.form)
        _label_any(filterset.form)
        _own_districts(filterset.form, request.user, qs)
        if not filterset.is_bound:
            return filterset, qs
        return filterset, (filterset.qs if filterset.is_valid() else qs.none())

    def extra_context(self, request) -> dict:
        """What a list's own template needs beyond the rows (e.g. whether the user may act on them)."""
        return {}

    def get(self, request, *args, **kwargs):
        filterset, qs = self.filtered(request, self.queryset(request))
        page = keyset_page(qs, after=request.GET.get("after"), size=parse_page_size(request.GET.get("page_size"), self.page_size))
        params = request.GET.copy()
        params.pop("after", None)
        return render(request, self.template_name, {
            "id_filters": _active_id_filters(filterset, params),
            "model": self.model,
            "opts": self.model._meta,
            "filterset": filterset,
            "filtered": bool(filterset is not None and filterset.is_bound),
            "columns": self.columns,
            "page": page,
            "total": bounded_count(qs),
            "query": params.urlencode(),
            "can_create": self.can_create(request),
            "url_base": _url_base(self.model),
            **self.extra_context(request),
        })


def _hide_id_filters(form) -> None:
    """Filters by a related row's id (?site=5) come from links on other pages, not from typing:
    they travel as hidden inputs and show as removable labels instead of number boxes."""
    for field in form.fields.values():
        if isinstance(field, (forms.DecimalField, forms.IntegerField)):
            field.widget = forms.HiddenInput()


def _label_any(form) -> None:
    """An unset filter means "any": say so, instead of "---------" or "unknown" (未知)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.NullBooleanSelect):
            # "unknown" and "" both mean unset: one 不限, not two
            choices = [(value, label) for value, label in widget.choices if value != ""]
            widget.choices = [(value, _("any") if value == "unknown" else label) for value, label in choices]
        elif isinstance(field, forms.ChoiceField) and getattr(field, "empty_label", None) is not None:
            field.empty_label = _("any")
            # Re-set so the widget gets the new label; the field adds its own empty choice again
            # when it iterates, so the old one is left out (one 不限, not two).
            field.choices = [(value, label) for value, label in field.choices if value != ""]


def _own_districts(form, user, qs) -> None:
    """A district filter offers only the districts the user works in: the officer's own district,
    or for units and firms the districts their rows lie in (a handful, read from their scoped rows)."""
    field = form.fields.get("district")
    if not isinstance(field, forms.ChoiceField):
        return
    codes = own_districts(user)
    if codes is None and user.role in (Role.UNIT_USER, Role.FIRM_USER):
        codes = set(qs.order_by().values_list("district_id", flat=True).distinct()[:50])
    if codes is not None:
        field.choices = [(value, label) for value, label in field.choices if value != "" and value in codes]


def _active_id_filters(filterset, params) -> list[dict]:
    if filterset is None:
        return []
    active = []
    for name, field in filterset.form.fields.items():
        if isinstance(field.widget, forms.HiddenInput) and params.get(name):
            rest = params.copy()
            rest.pop(name)
            active.append({"label": field.label, "value": params[name], "remove": rest.urlencode()})
    return active


class ObjectDetailView(LoginRequiredMixin, View):
    model: type[Model]
    fields: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    links: tuple[Link, ...] = ()
    select_related: tuple[str, ...] = ()
    history_limit = 20
    template_name = "core/object_detail.html"
    editable = True  # False: no edit page (records that change only through their own services)

    def base_queryset(self):
        return self.model._default_manager.all()

    def get_object(self, request, pk):
        qs = self.base_queryset()
        paths = related_paths(self.model, self.fields, self.select_related)
        return get_visible(request.user, qs.select_related(*paths) if paths else qs, pk=pk)

    def extra_context(self, request, obj) -> dict:
        return {}

    def related_table(self, request, obj, rel: Related) -> dict:
        rows = visible(request.user, rel.model).filter(**{rel.lookup: obj})
        paths = related_paths(rel.model, rel.columns, rel.select_related)
        rows = rows.select_related(*paths) if paths else rows
        can_add = bool(rel.add_url) and can_write(request.user, rel.model)
        return {"rel": rel, "rows": list(rows.order_by("pk")[: rel.limit]), "obj": obj, "can_add": can_add}

    def get(self, request, pk):
        obj = self.get_object(request, pk)
        return render(request, self.template_name, {
            "object": obj,
            "opts": self.model._meta,
            "fields": self.fields,
            "tables": [self.related_table(request, obj, rel) for rel in self.related],
            # The object was read through get_visible above, so its history is the user's to see.
            "history": object_history(obj, limit=self.history_limit),
            "can_edit": self.editable and can_write(request.user, self.model, obj),
            "can_correct": may_correct(request.user, obj),
            "fact_origins": fact_origins(obj),
            "links": [(link.label, link.href(obj)) for link in self.links
                      if link.roles is None or request.user.role in link.roles],
            "url_base": _url_base(self.model),
            **self.extra_context(request, obj),
        })


class ObjectEditView(LoginRequiredMixin, View):
    """Create (no pk) or edit (pk). The form's cleaned data goes to the service as keyword arguments;
    a refusal from the service (law, workflow, permission) lands on the form, nothing is saved.

    A create page accepts its form's related fields in the query string (`?system=12`), so that
    "add a device here" on a system's page opens a form already pointing at that system."""

    model: type[Model]
    form_class = None
    create_service = None
    update_service = None
    update_kwarg = "obj"
    create_roles: frozenset | None = None  # see may_create
    template_name = "core/object_form.html"

    def get_object(self, request, pk):
        if pk is None:
            if not may_create(request.user, self.model, self.create_roles):
                raise PermissionDenied
            return None
        obj = get_visible(request.user, self.model, pk=pk)
        if not can_write(request.user, self.model, obj):
            raise PermissionDenied
        return obj

    def form(self, request, obj, data=None, files=None):
        form = self.form_class(data=data, files=files, instance=obj, user=request.user)
        if obj is None:
            form.prefill(request.GET)
        return form

    def _render(self, request, form, obj):
        return render(request, self.template_name, {"form": form, "object": obj, "opts": self.model._meta,
                                                    "url_base": _url_base(self.model)})

    def get(self, request, pk=None):
        obj = self.get_object(request, pk)
        return self._render(request, self.form(request, obj), obj)

    def save(self, user, obj, data):
        if obj is None:
            return type(self).create_service(actor=user, **data)
        return type(self).update_service(actor=user, **{self.update_kwarg: obj}, **data)

    def post(self, request, pk=None):
        obj = self.get_object(request, pk)
        form = self.form(request, obj, request.POST, request.FILES)
        if form.is_valid():
            data = form.service_data()
            saved = attempt(request, lambda: self.save(request.user, obj, data), success=_("Saved."), form=form)
            if saved is not REFUSED:
                return redirect(saved.get_absolute_url())
        return self._render(request, form, obj)


class ObjectCorrectView(LoginRequiredMixin, View):
    """更正 of facts only a procedure (or a police act) establishes: the police inside their area
    or an administrator, with a reason; core.services.correct_object writes and audits it."""

    model: type[Model] | None = None
    template_name = "core/object_form.html"

    def get_object(self, request, pk):
        obj = get_visible(request.user, self.model, pk=pk)
        if not may_correct(request.user, obj):
            raise PermissionDenied
        return obj

    def _render(self, request, form, obj):
        return render(request, self.template_name, {"form": form, "object": obj, "opts": self.model._meta,
                                                    "url_base": _url_base(self.model), "correcting": True})

    def get(self, request, pk):
        obj = self.get_object(request, pk)
        return self._render(request, correction_form(self.model)(instance=obj, user=request.user), obj)

    def post(self, request, pk):
        obj = self.get_object(request, pk)
        # a fresh instance: a bound ModelForm writes its values into the one it holds
        form = correction_form(self.model)(data=request.POST, instance=self.model._default_manager.get(pk=obj.pk),
                                           user=request.user)
        if form.is_valid():
            done = attempt(request, lambda: correct_object(actor=request.user, obj=obj, data=form.service_data(),
                                                           reason=form.cleaned_data["reason"]),
                           success=_("Corrected."), form=form)
            if done is not REFUSED:
                return redirect(obj.get_absolute_url())
        return self._render(request, form, obj)
