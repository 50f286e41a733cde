"""Registry-driven generic views: a concrete list, detail or edit page is a few declarations.

Every view reads through `scoping.visible` (an object outside the user's scope is a 404, not a
403, so its existence does not leak) and writes only through the app's service functions."""
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from .errors import NotPermitted
from .forms import bootstrapify
from .pagination import keyset_page
from .scoping import can_write, get_visible, visible


@dataclass(frozen=True)
class Related:
    """A table of related rows on a detail page, e.g. a site's systems."""

    title: str
    model: type[Model]
    lookup: str               # field on `model` pointing at the detail object, e.g. "site"
    columns: tuple[str, ...]
    list_url: str = ""        # url name of the filtered full list, e.g. "registry:system_list"
    list_param: str = ""      # its filter parameter, e.g. "site"
    limit: int = 20


def select_paths(columns) -> list[str]:
    """The foreign keys a set of column paths crosses, for select_related (no N+1)."""
    paths = set()
    for col in columns:
        parts = col.split("__")
        if len(parts) > 1:
            paths.add("__".join(parts[:-1]))
    return sorted(paths)


def _fk_paths(model, columns):
    out = []
    for col in columns:
        field = model._meta.get_field(col.split("__")[0])
        if field.is_relation and field.many_to_one:
            out.append(col.split("__")[0])
    return out


class ObjectListView(LoginRequiredMixin, View):
    model: type[Model]
    filterset_class = None
    columns: tuple[str, ...] = ()
    template_name = "core/object_list.html"
    page_size = 50

    def queryset(self, request):
        qs = visible(request.user, self.model)
        related = sorted(set(select_paths(self.columns)) | set(_fk_paths(self.model, self.columns)))
        return qs.select_related(*related) if related else qs

    def get(self, request, *args, **kwargs):
        qs = self.queryset(request)
        filterset = self.filterset_class(request.GET or None, queryset=qs) if self.filterset_class else None
        if filterset is not None:
            bootstrapify(filterset.form)
            qs = filterset.qs if filterset.is_bound and filterset.is_valid() else (qs.none() if filterset.is_bound else qs)
        page = keyset_page(qs, after=request.GET.get("after"), size=request.GET.get("page_size") or self.page_size)
        params = request.GET.copy()
        params.pop("after", None)
        return render(request, self.template_name, {
            "model": self.model,
            "opts": self.model._meta,
            "filterset": filterset,
            "columns": self.columns,
            "page": page,
            "query": params.urlencode(),
            "can_create": can_write(request.user, self.model),
            "url_base": f"{self.model._meta.app_label}:{self.model._meta.model_name}",
        })


class ObjectDetailView(LoginRequiredMixin, View):
    model: type[Model]
    fields: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    template_name = "core/object_detail.html"

    def get_object(self, request, pk):
        qs = self.model._default_manager.select_related(*_fk_paths(self.model, self.fields))
        return get_visible(request.user, qs, pk=pk)

    def extra_context(self, request, obj) -> dict:
        return {}

    def get(self, request, pk):
        obj = self.get_object(request, pk)
        tables = []
        for rel in self.related:
            rows = visible(request.user, rel.model).filter(**{rel.lookup: obj})
            related_paths = sorted(set(select_paths(rel.columns)) | set(_fk_paths(rel.model, rel.columns)))
            rows = rows.select_related(*related_paths) if related_paths else rows
            tables.append({"rel": rel, "rows": list(rows.order_by("pk")[: rel.limit]), "obj": obj})
        return render(request, self.template_name, {
            "object": obj,
            "opts": self.model._meta,
            "fields": self.fields,
            "tables": tables,
            "can_edit": can_write(request.user, self.model, obj),
            "url_base": f"{self.model._meta.app_label}:{self.model._meta.model_name}",
            **self.extra_context(request, obj),
        })


class ObjectEditView(LoginRequiredMixin, View):
    """Create (no pk) or edit (pk). The form's cleaned data goes to the service as keyword arguments;
    a refusal from the service (law, workflow, permission) lands on the form, nothing is saved."""

    model: type[Model]
    form_class = None
    create_service = None
    update_service = None
    update_kwarg = "obj"
    template_name = "core/object_form.html"

    def get_object(self, request, pk):
        if pk is None:
            if not can_write(request.user, self.model):
                raise PermissionDenied
            return None
        obj = get_visible(request.user, self.model, pk=pk)
        if not can_write(request.user, self.model, obj):
            raise PermissionDenied
        return obj

    def form(self, request, obj, data=None, files=None):
        return self.form_class(data=data, files=files, instance=obj, user=request.user)

    def _render(self, request, form, obj):
        return render(request, self.template_name, {"form": form, "object": obj, "opts": self.model._meta,
                                                    "url_base": f"{self.model._meta.app_label}:{self.model._meta.model_name}"})

    def get(self, request, pk=None):
        obj = self.get_object(request, pk)
        return self._render(request, self.form(request, obj), obj)

    def post(self, request, pk=None):
        obj = self.get_object(request, pk)
        form = self.form(request, obj, request.POST, request.FILES)
        if form.is_valid():
            data = form.service_data()
            try:
                if obj is None:
                    obj = type(self).create_service(actor=request.user, **data)
                else:
                    obj = type(self).update_service(actor=request.user, **{self.update_kwarg: obj}, **data)
            except NotPermitted as exc:
                form.add_error(None, exc.text)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(obj.get_absolute_url())
        return self._render(request, form, obj)


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
