"""Base form for edit pages: related-object fields are limited to what the user may see, and become
a text box taking the natural key (credit code, site code...) when the choice would be too long.
A field the user may not write (the model's `writes` declaration, core/writes.py) is not offered."""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from django.db.models import Q

from jifang.core.divisions import CITY_CODE, DISTRICTS

from . import pickers, uniqueness, writes
from .scoping import is_id, scope_q
from .roles import POLICE_AND_ADMIN, Role
from .submissions import TokenFormMixin, add_token

SELECT_LIMIT = 200
# Django 6.1's label for an empty choice; Django's own Chinese catalogue lacks it, ours carries it.
BLANK_CHOICE_LABEL = _("- Select an option -")


class ServiceModelForm(TokenFormMixin, forms.ModelForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not self.instance.pk:
            add_token(self)  # a create form is answered once (core/submissions.py)
        self._drop_unwritable()
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                self._scope_choice(name, field)
        bootstrapify(self)

    def _drop_unwritable(self) -> None:
        """The service refuses a field the user may not write; offering it would only produce an
        error. On a new row a field is dropped only when the model fills it without input (a
        default, or blank allowed); a required one stays, so the service decides. Values of a field
        the user may not choose (a system's status "accepted") leave its choices, except the one
        recorded now."""
        model = self._meta.model
        creating = not self.instance.pk
        model_fields = {f.name for f in model._meta.fields}
        for name in [n for n in self.fields if n in model_fields]:
            if not writes.may_offer(self.user, model, name, creating=creating):
                model_field = model._meta.get_field(name)
                if not creating or model_field.has_default() or model_field.blank:
                    del self.fields[name]
                continue
            withheld = writes.withheld_values(self.user, model, name, creating=creating)
            current = getattr(self.instance, name, None)
            if withheld and hasattr(self.fields[name], "choices"):
                self.fields[name].choices = [(v, label) for v, label in self.fields[name].choices
                                             if v not in withheld or v == current]

    def _scope_choice(self, name, field):
        model = field.queryset.model
        q = division_choices_q(self.user) if model._meta.label_lower == "accounts.division" else scope_q(self.user, model)
        current_id = getattr(self.instance, f"{name}_id", None) if self.instance.pk else None
        if q is not None and current_id is not None:
            # Keep the value already recorded (an investor unit the user cannot otherwise see):
            # dropping it from the choices would silently clear it on the next save.
            q |= Q(pk=current_id)
        field.queryset = field.queryset if q is None else field.queryset.filter(q)
        if field.empty_label is not None:
            field.empty_label = BLANK_CHOICE_LABEL
        keys = getattr(model, "natural_key_fields", ())
        picker = pickers.for_model(model)
        big = len(keys) == 1 and len(field.queryset[: SELECT_LIMIT + 1]) > SELECT_LIMIT
        if picker is not None:
            # Search as you type, in scope, showing code, name and address (core/pickers.py); a
            # big table keeps taking its natural key, so typed keys and imports agree.
            if big:
                field.to_field_name = keys[0]
            to_field = field.to_field_name if field.to_field_name != model._meta.pk.name else None
            field.widget = pickers.PickerWidget(picker, to_field=to_field)
            return
        if big:
            field.to_field_name = keys[0]
            label = model._meta.get_field(keys[0]).verbose_name
            field.widget = forms.TextInput(attrs={"placeholder": label})
            field.help_text = _("enter the %(key)s") % {"key": label}
            current = getattr(self.instance, name, None) if self.instance.pk else None
            if current is not None:
                self.initial[name] = getattr(current, keys[0])

    def validate_unique(self):
        """A clash with a row outside the user's scope is "registered elsewhere", not named."""
        try:
            self.instance.validate_unique(exclude=self._get_validation_exclusions())
        except ValidationError as exc:
            self._update_errors(uniqueness.reworded(self.user, self.instance, exc))

    def prefill(self, params) -> None:
        """Initial values for a new row from the query string (`?site=5`): only for related fields,
        and only with a row the user may choose anyway (an id outside scope is ignored)."""
        for name, field in self.fields.items():
            raw = params.get(name)
            if not raw or not isinstance(field, forms.ModelChoiceField) or not is_id(raw):
                continue
            chosen = field.queryset.filter(pk=int(raw)).first()
            if chosen is not None:
                self.initial[name] = getattr(chosen, field.to_field_name) if field.to_field_name else chosen.pk

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}


def division_choices_q(user) -> Q:
    """Divisions declare no scope (so `visible` gives none); a form offers the county-level
    districts inside the user's own area: all 14 for the city level, one for a district officer."""
    districts = Q(code__in=list(DISTRICTS))
    if user.role == Role.ADMIN or user.division_id == CITY_CODE:
        return districts
    return districts & Q(code=user.division_id) if user.division_id else Q(pk__in=[])


def bootstrapify(form) -> None:
    """Give widgets Bootstrap's classes (the templates stay free of per-field markup)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput,)):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select form-select-sm"
        else:
            css = "form-control form-control-sm"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class CorrectionForm(ServiceModelForm):
    """更正: the facts only a procedure (or a police act) establishes, and the reason, for the police
    or an administrator (core.services.correct_object decides)."""

    reason = forms.CharField(label=_("reason for the correction"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=500, help_text=_("written to the audit log with the correction"))

    def _drop_unwritable(self) -> None:
        """The fields are the correctable ones; nobody writes them by a plain edit, which is the point.
        (`reason` is not a model field, so service_data leaves it out.)"""


def correction_form(model) -> type[CorrectionForm]:
    fields = list(writes.correctable(model))
    dates = {f.name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
             for f in model._meta.fields if f.name in fields and f.get_internal_type() == "DateField"}
    return forms.modelform_factory(model, form=CorrectionForm, fields=fields, widgets=dates)

