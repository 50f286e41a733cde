"""Forms for what a unit records by hand. Times are entered in Kunming's time (the site's zone)."""
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from jifang.core.forms import ServiceModelForm, bootstrapify

from . import models as m
from jifang.registry.models import DeviceKind

from .camera import CameraBaseline, CameraRecord

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


DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ENTRY_FIELDS = ("number", "corrects")
HELP = {
    "number": _("leave empty to have the entry numbered for you"),
    "evidence": _("a PDF, PNG or JPEG: the signed sheet, the certificate, the photo (at most 20 MB)"),
}


class RegisterForm(ServiceModelForm):
    """The form of one of the unit's registers (made per register by `register_form`)."""

    evidence = forms.FileField(label=_("evidence file"), required=False, help_text=HELP["evidence"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].required = False

    def service_data(self) -> dict:
        return {**super().service_data(), "evidence": self.cleaned_data.get("evidence")}


def register_form(register) -> type[RegisterForm]:
    model = register.model
    fields = [*register.fields, *ENTRY_FIELDS]
    widgets = {"corrects": forms.HiddenInput}
    for name in register.fields:
        field = model._meta.get_field(name)
        if isinstance(field, models.DateTimeField):
            widgets[name] = MOMENT
        elif isinstance(field, models.DateField):
            widgets[name] = DAY
    meta = type("Meta", (), {"model": model, "fields": fields, "widgets": widgets, "help_texts": HELP})
    base = ClearedPersonForm if model is m.ClearedPerson else RegisterForm
    return type(f"{model.__name__}Form", (base,), {"Meta": meta})


class ClearedPersonForm(RegisterForm):
    """A cleared person's phone number is not a column: the service stores it encrypted."""

    phone = forms.CharField(label=_("phone number"), max_length=30, required=False)
    field_order = ["site", "person_name", "role", "phone"]

    def service_data(self) -> dict:
        return {**super().service_data(), "phone": self.cleaned_data.get("phone", "")}


class AcknowledgeForm(forms.Form):
    remark = forms.CharField(label=_("remark"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)



class CameraForm(ServiceModelForm):
    """A camera record: only cameras are offered (position baselines concern cameras)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("device")
        if field is not None and hasattr(field, "queryset"):
            field.queryset = field.queryset.filter(kind=DeviceKind.CAMERA)


class CameraApprovedForm(CameraForm):
    """The unit's approved baseline or change of a camera (art_21 point 4)."""

    class Meta:
        model = CameraRecord
        fields = ["device", "position", "direction", "purpose", "approved_by_name", "effective_at", "reason"]
        widgets = {"effective_at": MOMENT, "reason": forms.Textarea(attrs={"rows": 2})}
        labels = {"effective_at": _("approved at")}
        help_texts = {
            "position": _("where the camera is mounted, as the approved drawing names it"),
            "direction": _("what the camera faces and covers"),
            "approved_by_name": _("the person responsible of the unit who approved it"),
            "reason": _("why the camera is changed (not needed for its first baseline)"),
        }


class CameraFoundForm(CameraForm):
    """What was found in place: by the district police at an inspection, or by the unit."""

    class Meta:
        model = CameraRecord
        fields = ["device", "position", "direction", "purpose", "effective_at", "reason"]
        widgets = {"effective_at": MOMENT, "reason": forms.Textarea(attrs={"rows": 2})}
        labels = {"effective_at": _("found at"), "reason": _("remark")}
        help_texts = {"position": _("write what you see; the form starts from the approved baseline")}

    def prefill(self, params) -> None:
        """Start from the camera's approved baseline, so that only what differs is typed."""
        super().prefill(params)
        device = self.initial.get("device")
        if not device:
            return
        rows = CameraBaseline.objects.filter(**{"device__serial" if isinstance(device, str) else "device_id": device})
        for name, value in (rows.values("position", "direction", "purpose").first() or {}).items():
            self.initial.setdefault(name, value)
