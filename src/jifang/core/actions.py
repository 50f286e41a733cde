"""One way for a page to submit a form to a service and show a refusal with the clause behind it.

Every app's pages end the same way: validate a form, call one service, and either say "saved" and go
back to the object, or show why the service said no (`NotPermitted`, or a `ServiceError` naming the
clause that forbids it, 第十四条第二款). `attempt` is that step; `ServiceFormView` (a page with a form)
and `ServiceAction` (a POST-only button on an object's page) are the two views built on it.

Core knows no rule pack, so the clause label comes from whoever registers a labeller (the regulation
app does, in its AppConfig.ready()); without one the refusal is shown without its clause.
"""
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from . import submissions
from .errors import NotPermitted
from .scoping import get_visible

REFUSED = object()  # what `attempt` returns when the service said no (a service may return None)

_clause_labellers: list[Callable[[str], str | None]] = []


def errors_text(form) -> str:
    """A refused form in one line, each error under its field's label as the page shows it
    ("期限：请输入日期"), never the field's name in the code (Django's as_text() writes "* deadline")."""
    lines = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        lines += [f"{label}：{e}" if label else str(e) for e in errors]
    return "；".join(lines)


def register_clause_labeller(labeller: Callable[[str], str | None]) -> None:
    """`labeller(clause_id)` -> the clause as officials cite it (第十四条第二款), or None if unknown."""
    if labeller not in _clause_labellers:
        _clause_labellers.append(labeller)


def clause_label(clause_id: str) -> str | None:
    for labeller in _clause_labellers:
        label = labeller(clause_id)
        if label:
            return label
    return None


def refusal_text(exc: Exception) -> str:
    """The refusal as a person reads it: the service's bilingual reason, then the clause if it names one."""
    text = exc.text if isinstance(exc, NotPermitted) else "；".join(exc.messages)
    label = clause_label(exc.clause) if getattr(exc, "clause", None) else None
    if not label or label in text:  # some reasons cite their clause already
        return text
    return _("%(text)s (%(clause)s)") % {"text": text, "clause": label}


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, refusal_text(exc))


def attempt(request, call: Callable[[], object], *, success: str | None = None, form=None):
    """Run one service call. On success show `success` and return the call's result; on a refusal
    show its reason (on `form` when given, else as a message) and return REFUSED. The service's own
    transaction has rolled back what it began. A POST carrying a create form's one-time token runs
    the call at most once (core/submissions.py): a repeat returns a `submissions.Replay` of the first
    result (its get_absolute_url) and shows no success a second time."""
    try:
        result = submissions.once(request, call)
    except NotPermitted as exc:
        if form is None:
            messages.error(request, refusal_text(exc))
        else:
            form.add_error(None, refusal_text(exc))
        return REFUSED
    except ValidationError as exc:
        if form is None:
            messages.error(request, refusal_text(exc))
        else:
            _errors_to_form(form, exc)
        return REFUSED
    if success and not isinstance(result, submissions.Replay):
        messages.success(request, success)
    return result


class ServiceFormView(LoginRequiredMixin, View):
    """GET shows a form about one object (the URL's pk, looked up in scope: 404 outside it); POST
    validates it and calls `call(user, obj, data)`; a refusal lands on the form, success goes back
    to `back(result)`. Subclasses declare `target`, `form_class`, `title` and `call`."""

    target = None  # a model or a queryset
    form_class = None
    title = ""
    template_name = ""
    success = gettext_lazy("Saved.")
    roles: frozenset | None = None  # who may open the page at all (None: whoever sees the object)

    def call(self, user, obj, data):
        raise NotImplementedError

    def back(self, obj) -> str:
        return obj.get_absolute_url()

    def form(self, request, obj, data=None, files=None):
        return self.form_class(data, files, user=request.user, obj=obj)

    def get_object(self, request, pk):
        if self.roles is not None and request.user.role not in self.roles:
            raise PermissionDenied
        return get_visible(request.user, self.target, pk=pk)

    def _render(self, request, form, obj):
        return render(request, self.template_name, {"form": form, "object": obj, "title": self.title,
                                                    "back": self.back(obj)})

    def get(self, request, pk):
        obj = self.get_object(request, pk)
        return self._render(request, self.form(request, obj), obj)

    def post(self, request, pk):
        obj = self.get_object(request, pk)
        form = self.form(request, obj, request.POST, request.FILES)
        if form.is_valid():
            result = attempt(request, lambda: self.call(request.user, obj, form.cleaned_data),
                             success=self.success, form=form)
            if isinstance(result, submissions.Replay):  # a repeated POST: to the first result
                return redirect(result.url)
            if result is not REFUSED:
                return redirect(self.back(result))
        return self._render(request, form, obj)


class ServiceAction(LoginRequiredMixin, View):
    """A button on an object's page: POST only; the object (the URL's pk) is looked up in scope, the
    optional form is bound to POST and FILES, `call(request, obj, data)` runs through `attempt`
    (refusals and invalid input become messages) and the user goes back to `back(request, obj, result)`."""

    http_method_names = ["post"]
    target = None  # a model or a queryset
    form_class = None
    success = ""

    def call(self, request, obj, data):
        raise NotImplementedError

    def back(self, request, obj, result) -> str:
        return obj.get_absolute_url()

    def post(self, request, pk, **kwargs):
        obj = get_visible(request.user, self.target, pk=pk)
        data = {}
        if self.form_class is not None:
            form = self.form_class(request.POST, request.FILES)
            if not form.is_valid():
                messages.error(request, errors_text(form))
                return redirect(self.back(request, obj, REFUSED))
            data = form.cleaned_data
        result = attempt(request, lambda: self.call(request, obj, data), success=self.success)
        return redirect(self.back(request, obj, result))
