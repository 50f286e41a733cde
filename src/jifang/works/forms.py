"""Forms for the works pages. Each step's form collects what its service takes; the service decides."""
from django import forms
from django.utils.translation import gettext_lazy as _

from jifang.core.forms import ServiceModelForm, bootstrapify
from jifang.core.submissions import TokenFormMixin, add_token
from . import models as m
from .services import WORKS_DETAIL_FIELDS

DATE = forms.DateInput(attrs={"type": "date"})


class WorksForm(ServiceModelForm):
    """Registration (all fields) and later edits (details only)."""

    class Meta:
        model = m.Works
        fields = ["system", "builder", "firm", *WORKS_DETAIL_FIELDS]
        widgets = {n: DATE for n in WORKS_DETAIL_FIELDS if n.endswith("_on")}

    # System, builder and firm are fixed once registered (a different job is a new works): the
    # model's `writes` declaration says so, and ServiceModelForm then leaves them off the edit form.


class StepForm(TokenFormMixin, forms.Form):
    """A plain form for one lifecycle step, styled like the others."""

    def __init__(self, *args, user=None, obj=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.obj = user, obj
        add_token(self)  # StepView answers a repeated POST of a step once (core/submissions.py)
        bootstrapify(self)


class DocumentForm(StepForm):
    kind = forms.ChoiceField(label=_("document kind"), choices=m.DocumentKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    file = forms.FileField(label=_("file"), help_text=_("PDF, PNG, JPEG or DWG, up to 20 MB"))


class ReviewForm(StepForm):
    held_on = forms.DateField(label=_("held on"), widget=DATE)
    result = forms.ChoiceField(label=_("result"), choices=m.ReviewResult.choices)
    organiser = forms.CharField(label=_("organised by"), max_length=200, required=False)
    opinion = forms.CharField(label=_("review opinion"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    experts = forms.CharField(
        label=_("experts"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("one per line: name, affiliation, opinion (optional)"),
    )

    def clean_experts(self):
        rows = []
        for line in self.cleaned_data["experts"].splitlines():
            parts = [p.strip() for p in line.replace("，", ",").split(",", 2)]
            if parts[0]:
                rows.append({"name": parts[0], "affiliation": parts[1] if len(parts) > 1 else "",
                             "opinion": parts[2] if len(parts) > 2 else ""})
        return rows


class DateStepForm(StepForm):
    day = forms.DateField(label=_("date"), widget=DATE)


class WorkerForm(StepForm):
    name = forms.CharField(label=_("person's name"), max_length=50)
    job = forms.CharField(label=_("job"), max_length=50)
    certificate = forms.CharField(label=_("qualification certificate"), max_length=60, required=False)


class ScheduleForm(StepForm):
    scheduled_for = forms.DateField(label=_("scheduled for"), widget=DATE)
    location = forms.CharField(label=_("location"), max_length=200, required=False)


class AttendanceForm(StepForm):
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class ResultForm(StepForm):
    held_on = forms.DateField(label=_("held on"), widget=DATE)
    items = forms.CharField(
        label=_("acceptance items"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("one per line: item, then ok or fail, then a note (optional)"),
    )
    reserved_interface = forms.BooleanField(label=_("reserved police networking interface confirmed"), required=False)
    certificate = forms.CharField(label=_("acceptance certificate number"), max_length=50, required=False)
    opinion = forms.CharField(label=_("acceptance opinion"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    PASS_WORDS = {"ok", "pass", "passed", "合格", "通过", "是"}

    def clean_items(self):
        rows = []
        for line in self.cleaned_data["items"].splitlines():
            parts = [p.strip() for p in line.replace("，", ",").split(",", 2)]
            if parts[0]:
                passed = len(parts) > 1 and parts[1].lower() in self.PASS_WORDS
                rows.append({"name": parts[0], "passed": passed, "note": parts[2] if len(parts) > 2 else ""})
        return rows


class FilingForm(StepForm):
    filed_on = forms.DateField(label=_("filed on"), widget=DATE)
    contact_name = forms.CharField(label=_("contact"), max_length=50)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=30)
    summary = forms.CharField(label=_("works summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ConfirmForm(StepForm):
    """A step with nothing to fill in (receiving a filing)."""


class NoticeForm(StepForm):
    basis = forms.ChoiceField(label=_("legal basis"), choices=m.NoticeBasis.choices)
    issued_on = forms.DateField(label=_("issued on"), widget=DATE)
    due_on = forms.DateField(label=_("connect by"), widget=DATE)
