"""Base form for edit pages: related-object fields are limited to what the user may see, and become
a text box taking the natural key (credit code, site code...) when the choice would be too long.
Fields only the police may set (the model's `police_only_fields`) are not shown to anyone else."""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from django.db.models import Q

from jifang.core.divisions import CITY_CODE, DISTRICTS

from . import uniqueness
from .scoping import is_id, scope_q
from .roles import POLICE_AND_ADMIN, Role
from .services import police_only

SELECT_LIMIT = 200
# Django 6.1's label for an empty choice; Django's own Chinese catalogue lacks it, ours carries it.
BLANK_CHOICE_LABEL = _("- Select an option -")


class ServiceModelForm(forms.ModelForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._drop_police_only()
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                self._scope_choice(name, field)
        bootstrapify(self)

    def _drop_police_only(self) -> None:
        """The service refuses a non-police change to these fields; offering them would only
        produce an error. On a new row a field is dropped only when the model fills it without
        input (a default, or blank allowed); a required one stays, so the service decides."""
        if self.user.role in POLICE_AND_ADMIN:
            return
        model = self._meta.model
        for name in police_only(model, creating=not self.instance.pk):
            if name not in self.fields:
                continue
            model_field = model._meta.get_field(name)
            if self.instance.pk or model_field.has_default() or model_field.blank:
                del self.fields[name]

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
        if len(keys) == 1 and len(field.queryset[: SELECT_LIMIT + 1]) > SELECT_LIMIT:
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
