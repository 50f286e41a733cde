"""Forms for what a unit records by hand. Times are entered in Kunming's time (the site's zone)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from jifang.core.forms import ServiceModelForm, bootstrapify

from . import models as m

MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OutageForm(ServiceModelForm):
    class Meta:
        model = m.Outage
        fields = ["system", "device", "started_at", "ended_at", "cause", "note"]
        widgets = {"started_at": MOMENT, "ended_at": MOMENT}
        help_texts = {
            "ended_at": _("leave empty while the system is still interrupted"),
            "cause": _("only maintenance notified in advance, a power cut or force majeure justify an "
                       "interruption (art. 19); leave 'not yet explained' if you do not know yet"),
        }


class OutageExplainForm(forms.Form):
    cause = forms.ChoiceField(label=_("cause"), choices=[c for c in m.OutageCause.choices
                                                         if c[0] != m.OutageCause.UNKNOWN])
    note = forms.CharField(label=_("explanation"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class FootageUseForm(ServiceModelForm):
    class Meta:
        model = m.FootageUse
        fields = ["system", "kind", "recording_from", "recording_to", "cameras", "used_at", "user_name", "purpose",
                  "destination", "requester_unit", "requester_name", "content", "legal_basis", "approved_by_name",
                  "approved_at", "corrects"]
        widgets = {"recording_from": MOMENT, "recording_to": MOMENT, "used_at": MOMENT, "approved_at": MOMENT,
                   "corrects": forms.HiddenInput}
        help_texts = {
            "legal_basis": _("for a copy or provision to another unit or person: the law or document that "
                             "allows it (art. 21 point 3)"),
            "approved_by_name": _("the person responsible who approved a copy or provision"),
            "requester_unit": _("who asked for the recordings (order 799 art. 16)"),
        }
