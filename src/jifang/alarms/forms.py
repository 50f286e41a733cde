"""Forms of the alarm centre: registering a panel's account and the operators' actions."""
from django import forms
from django.utils.translation import gettext_lazy as _

from jifang.core.forms import bootstrapify
from jifang.core.scoping import visible
from jifang.registry.models import Device, DeviceKind

from .models import DEFAULT_GRACE, DEFAULT_SUPERVISION, Disposition, DispatchTarget


class AccountForm(forms.Form):
    serial = forms.CharField(label=_("panel serial number"), max_length=64)
    account = forms.CharField(label=_("DC-09 account"), max_length=16)
    key = forms.CharField(label=_("encryption key (optional)"), required=False, max_length=64,
                          widget=forms.PasswordInput(render_value=False),
                          help_text=_("16, 24 or 32 characters, or 32, 48 or 64 hex digits; stored sealed and never "
                                      "shown again"))
    supervision_seconds = forms.IntegerField(label=_("supervision interval (seconds)"), min_value=0,
                                             initial=DEFAULT_SUPERVISION)
    grace_seconds = forms.IntegerField(label=_("grace (seconds)"), min_value=0, initial=DEFAULT_GRACE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        bootstrapify(self)

    def clean_serial(self):
        device = visible(self.user, Device).filter(serial=self.cleaned_data["serial"].strip(),
                                                   kind=DeviceKind.ALARM_PANEL).first()
        if device is None:
            raise forms.ValidationError(_("No alarm panel with this serial number in your area."))
        return device


class VerifyForm(forms.Form):
    verification = forms.CharField(label=_("verification"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class DispatchForm(forms.Form):
    to = forms.ChoiceField(label=_("dispatch to"), choices=DispatchTarget.choices)
    note = forms.CharField(label=_("dispatch details"), max_length=200, required=False)


class CloseForm(forms.Form):
    disposition = forms.ChoiceField(label=_("disposition"), choices=Disposition.choices)
    note = forms.CharField(label=_("operator's note"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


ACTION_FORMS = {"verify": VerifyForm, "dispatch": DispatchForm, "close": CloseForm}


class AccountEditForm(forms.Form):
    key = forms.CharField(label=_("new encryption key"), required=False, max_length=64,
                          widget=forms.PasswordInput(render_value=False),
                          help_text=_("leave empty to keep the current key; it is never shown"))
    clear_key = forms.BooleanField(label=_("remove the key (plain messages only)"), required=False)
    supervision_seconds = forms.IntegerField(label=_("supervision interval (seconds)"), min_value=0)
    grace_seconds = forms.IntegerField(label=_("grace (seconds)"), min_value=0)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)
