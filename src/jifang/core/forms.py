"""Base form for edit pages: related-object fields are limited to what the user may see, and become
a text box taking the natural key (credit code, site code...) when the choice would be too long."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .scoping import visible

SELECT_LIMIT = 200


class ServiceModelForm(forms.ModelForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                self._scope_choice(name, field)
        bootstrapify(self)

    def _scope_choice(self, name, field):
        model = field.queryset.model
        field.queryset = visible(self.user, field.queryset)
        keys = getattr(model, "natural_key_fields", ())
        if len(keys) == 1 and len(field.queryset[: SELECT_LIMIT + 1]) > SELECT_LIMIT:
            field.to_field_name = keys[0]
            label = model._meta.get_field(keys[0]).verbose_name
            field.widget = forms.TextInput(attrs={"placeholder": label})
            field.help_text = _("enter the %(key)s") % {"key": label}
            current = getattr(self.instance, name, None) if self.instance.pk else None
            if current is not None:
                self.initial[name] = getattr(current, keys[0])

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}


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
