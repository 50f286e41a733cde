"""Enforcement forms. They only collect input; every rule is checked by the services."""
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jifang.core.divisions import CITY_CODE
from jifang.accounts.models import User
from jifang.core.roles import OFFICERS
from jifang.core.forms import ServiceModelForm, bootstrapify
from jifang.core.scoping import visible
from jifang.core.submissions import TokenFormMixin, add_token
from jifang.regulation.models import Finding, FindingStatus, Outcome, Stage

from . import law
from .models import FineTarget, Inspection, ItemResult

TARGET_LABELS = {FineTarget.UNIT: _("unit"), FineTarget.PERSON_IN_CHARGE: _("person in charge"),
                 FineTarget.PERSON_DIRECTLY_RESPONSIBLE: _("person directly responsible")}


class PlainForm(TokenFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_token(self)  # views that create a record answer a repeated POST once (core/submissions.py)
        bootstrapify(self)


class InspectionForm(ServiceModelForm):
    inspectors = forms.ModelMultipleChoiceField(queryset=User.objects.none(), required=False,
                                                label=_("other inspectors"), widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Inspection
        fields = ["site", "kind", "inspected_on", "observations"]
        widgets = {"inspected_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                   "observations": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # Colleagues of the same bureau, and the city bureau's officers, may inspect together.
        self.fields["inspectors"].queryset = User.objects.filter(
            role__in=OFFICERS, division_id__in=[user.division_id, CITY_CODE],
            is_active=True).exclude(pk=user.pk).order_by("id")
        self.fields["inspectors"].widget.attrs = {}

    def service_data(self) -> dict:
        return {**super().service_data(), "inspectors": list(self.cleaned_data["inspectors"])}


class ObservationsForm(PlainForm):
    observations = forms.CharField(label=_("observations"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    result = forms.CharField(label=_("handling result"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class RaiseFindingForm(PlainForm):
    clause_id = forms.ChoiceField(label=_("clause"))
    explanation_zh = forms.CharField(label=_("what was seen"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pack = law.DEFAULT_PACK
        self.fields["clause_id"].choices = [(c, f"{law.clause(pack, c).label_zh} {law.clause(pack, c).excerpt(30)}")
                                            for c in law.HAND_CHECK_CLAUSES]


class PhotoForm(PlainForm):
    # On a phone this opens the camera straight away (the rear one); elsewhere a file chooser.
    file = forms.FileField(label=_("photo (JPEG or PNG)"), widget=forms.ClearableFileInput(
        attrs={"accept": "image/*", "capture": "environment"}))
    caption = forms.CharField(label=_("caption"), max_length=200, required=False)


class ComplaintForm(PlainForm):
    text = forms.CharField(label=_("complaint"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerComplaintForm(PlainForm):
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 2}))


class OrderForm(PlainForm):
    findings = forms.ModelMultipleChoiceField(queryset=Finding.objects.none(), label=_("findings"),
                                              widget=forms.CheckboxSelectMultiple)
    deadline = forms.DateField(label=_("correction deadline"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                               help_text=_("A deadline on a rest day or public holiday moves to the next working day "
                                           "(Civil Code art. 203)."))
    requirements = forms.CharField(label=_("what must be corrected"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = visible(user, Finding).filter(
            unit=unit, stage=Stage.DETECTED, status=FindingStatus.OPEN, outcome=Outcome.VIOLATION).order_by("id")
        self.fields["findings"].label_from_instance = lambda f: f"{f.clause_label} · {f.subject_label} · {f.explanation_zh}"
        self.fields["findings"].widget.attrs = {}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class AnswerForm(PlainForm):
    response = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("evidence (JPEG, PNG or PDF)"), required=False)


class AmountsForm(PlainForm):
    """Fields per fine target of the sanction stored on the finding, with the legal range shown."""

    facts = forms.CharField(label=pgettext_lazy("penalty case", "facts"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, sanction: dict, unit, **kwargs):
        super().__init__(*args, **kwargs)
        for fine in sanction.get("fines", []):
            # the party of a case is a registered unit: an order 799 range for an individual is not its own
            if fine["unit_kind"] not in (unit.kind, "any") or fine["target"] not in TARGET_LABELS:
                continue
            target = fine["target"]
            self.fields[f"amount_{target}"] = forms.DecimalField(
                label=TARGET_LABELS[target], max_digits=10, decimal_places=2,
                help_text=_("legal range %(min)s–%(max)s yuan") % fine)
            if target != FineTarget.UNIT:
                default = getattr(unit, f"{target}_name", "")
                # a person's name (姓名): the bare msgid "name" takes accounts' 名称 (the name of a thing)
                self.fields[f"name_{target}"] = forms.CharField(label=pgettext_lazy("person", "name"), initial=default,
                                                                max_length=50)
        bootstrapify(self)

    def amounts(self) -> dict:
        return {k[7:]: v for k, v in self.cleaned_data.items() if k.startswith("amount_")}

    def persons(self) -> dict:
        return {k[5:]: v for k, v in self.cleaned_data.items() if k.startswith("name_")}


class StatementForm(PlainForm):
    statement = forms.CharField(label=_("statement and defence"), widget=forms.Textarea(attrs={"rows": 3}),
                                required=False)
    waived = forms.BooleanField(label=_("the unit waives its statement"), required=False)


RESULT_CHOICES = ItemResult.choices
