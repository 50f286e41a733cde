"""Forms of the national workflows. Times are entered in Kunming's time."""
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jifang.core.divisions import DISTRICTS
from jifang.core.forms import ServiceModelForm, bootstrapify
from jifang.registry.models import Site

from . import models as m

MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FilingForm(ServiceModelForm):
    """备案基本信息: prefilled from the registry (views.FilingAdd), confirmed and corrected by the manager."""

    class Meta:
        model = m.SystemFiling
        fields = ["system", "unit_name", "credit_code", "unit_address", "person_in_charge", "contact_name",
                  "contact_phone", "location", "in_use_since", "camera_count", "with_nvr", "with_dvr", "with_encoder",
                  "retention_days", "note"]
        widgets = {"in_use_since": DAY, "note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "camera_count": _("image capture devices (cameras) of the system, as installed"),
            "retention_days": _("how long footage is kept: at least 30 days (art. 17)"),
            "system": _("a filing already in force makes this a change filing (art. 14 para. 1)"),
        }

    def _drop_unwritable(self) -> None:
        """Every field of a filing is the manager's to declare (the `writes` record marks the row as
        the filing procedure's, so no generic edit path touches it)."""


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class ToInspectionForm(forms.Form):
    site = forms.ModelChoiceField(label=_("site inspected"), queryset=Site.objects.none())
    inspected_on = forms.DateField(label=_("inspected on"), widget=DAY)

    def __init__(self, *args, user=None, district=None, **kwargs):
        super().__init__(*args, **kwargs)
        from jifang.core.scoping import visible

        self.fields["site"].queryset = visible(user, Site).filter(district_id=district) if user else Site.objects.none()
        self.fields["site"].widget = forms.TextInput(attrs={"placeholder": _("site code")})
        self.fields["site"].to_field_name = "code"
        self.fields["site"].help_text = _("the registered site the report concerns (its code)")
        bootstrapify(self)


class ViewingRequestForm(ServiceModelForm):
    class Meta:
        model = m.ViewingRequest
        fields = ["system", "requester_name", "requester_id_number", "relation", "person_name", "reason",
                  "recording_from", "recording_to", "requested_at"]
        widgets = {"recording_from": MOMENT, "recording_to": MOMENT, "requested_at": MOMENT}

    def _drop_unwritable(self) -> None:
        """A request is recorded by the manager as it is made: every field is theirs to enter."""


class ConsentForm(forms.Form):
    viewed_at = forms.DateTimeField(label=_("viewed at"), widget=MOMENT)
    approved_by_name = forms.CharField(label=_("approved by (person responsible)"), max_length=100)
    shown_by_name = forms.CharField(label=_("shown by (staff on watch)"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files in one input; size and type are the service's checks (clear refusals)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files if f]


class PublicReportForm(forms.Form):
    district = forms.ChoiceField(label=_("district"), choices=[("", "—")] + list(DISTRICTS.items()))
    kind = forms.ChoiceField(label=_("what is reported"), choices=m.ReportKind.choices, widget=forms.RadioSelect)
    place = forms.CharField(label=_("place"), max_length=300,
                            help_text=_("address, name of the hotel, school or shop, room or floor"))
    description = forms.CharField(label=_("description"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label=_("photos"), required=False)
    contact = forms.CharField(label=_("contact (optional)"), max_length=200, required=False,
                              help_text=_("phone or e-mail, seen only by the police; leave empty to stay anonymous"))
    answer = forms.CharField(label=_("answer"), max_length=8)
    challenge = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.JIFANG_PUBLIC_REPORT_PHOTO_MAX_BYTES // (1024 * 1024) or 1
        self.fields["photos"].help_text = _("JPEG or PNG, at most %(n)s photos of %(mb)s MB each") % {
            "n": settings.JIFANG_PUBLIC_REPORT_MAX_PHOTOS, "mb": limit}
        bootstrapify(self)
        self.fields["kind"].widget.attrs["class"] = "form-check-input"
