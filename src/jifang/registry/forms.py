"""Registry edit forms. Scoping of choices and hiding of police-only fields come from ServiceModelForm;
these add what helps the person filling them in: dates as date pickers, help texts that say what the
law wants recorded, and the device form narrowed to one site when it is opened from that site."""
from django import forms
from django.utils.translation import gettext_lazy as _

from jifang.core import pickers
from jifang.core.forms import ServiceModelForm

from . import models as m

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SiteForm(ServiceModelForm):
    class Meta:
        model = m.Site
        fields = ["code", "name", "unit", "district", "address", "art6_point", "designation_number", "designation_date",
                  "near_secret_unit", "secret_unit_consent_on", "secret_unit_consent_ref"]
        widgets = {"designation_date": DATE, "secret_unit_consent_on": DATE}
        help_texts = {
            "code": _("the site's registration code; it identifies the site in imports and exports"),
            "designation_number": _("only for art. 6 point 10: the number of the police designation document"),
            "near_secret_unit": _("marked by the police: cameras here need the prior consent of the neighbouring "
                                  "secret-holding unit (order 799 art. 10)"),
            "secret_unit_consent_on": _("the day that unit consented in writing; it must precede the cameras going live"),
        }


class SitePartForm(ServiceModelForm):
    class Meta:
        model = m.SitePart
        fields = ["site", "name", "area_kind", "privacy_spot"]
        help_texts = {
            "name": _("e.g. main entrance, vault, 3rd floor guest rooms"),
            "area_kind": _("hotel rooms, baths, toilets, changing, fitting and nursing rooms are private places: "
                           "art. 7 forbids audio-video devices there"),
            "privacy_spot": _("set by a police officer: a spot where a camera could film private life, "
                              "forbidden by order 799 art. 8 para. 1 item 4"),
        }


class SystemForm(ServiceModelForm):
    class Meta:
        model = m.SecuritySystem
        fields = ["code", "name", "site", "investor", "builder", "operator", "firm", "has_intrusion_alarm",
                  "has_audio_video", "has_access_control", "has_explosive_inspection", "status", "in_use_since",
                  "acceptance_date", "acceptance_result", "acceptance_certificate", "reserved_interface",
                  "police_connected", "police_connected_since", "retention_days", "is_public_area",
                  "public_video_class"]
        widgets = {"in_use_since": DATE, "acceptance_date": DATE, "police_connected_since": DATE}
        help_texts = {
            "status": _("a system may be put in use only after it has passed completion acceptance (art. 14 para. 2)"),
            "acceptance_date": _("for systems accepted years ago, enter the date on the old certificate"),
            "retention_days": _("how many days recordings are kept before being overwritten; the law requires "
                                "at least 30 (art. 19); leave empty if not known"),
            "reserved_interface": _("an interface for connecting to the police platform (art. 13 para. 1)"),
            "public_video_class": _("set by the police; systems of other public places (art. 9) are exempt from "
                                    "filing and the 30-day retention of order 799"),
        }


class DeviceForm(ServiceModelForm):
    class Meta:
        model = m.Device
        fields = ["serial", "name", "system", "kind", "product", "part", "gb28181_id", "dc09_account", "status",
                  "installed_on", "signage"]
        widgets = {"installed_on": DATE}
        help_texts = {
            "serial": _("the manufacturer's serial number on the device label"),
            "part": _("where the device is installed; a camera in a private place breaks art. 7"),
            "gb28181_id": _("20 digits, for devices connected over GB/T 28181"),
            "dc09_account": _("the alarm panel's account at the alarm centre (SIA DC-09)"),
            "signage": _("a conspicuous sign tells people this camera is filming (order 799 art. 13)"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pickers.narrow(self, "part", by="system")  # the part box offers the chosen system's site's parts

    def prefill(self, params) -> None:
        """Opened from a site (`?site=`) or a part (`?part=`): offer only that site's systems and
        parts, and choose the system when the site has just one."""
        super().prefill(params)
        site_id = self._site_from(params)
        if site_id is None:
            return
        self.fields["system"].queryset = self.fields["system"].queryset.filter(site_id=site_id)
        self.fields["part"].queryset = self.fields["part"].queryset.filter(site_id=site_id)
        if "system" not in self.initial:
            systems = list(self.fields["system"].queryset.values_list("pk", flat=True)[:2])
            if len(systems) == 1:
                self.initial["system"] = systems[0]

    def _site_from(self, params) -> int | None:
        if str(params.get("site", "")).isdigit():
            return int(params["site"])
        part = self.initial.get("part")
        if part is not None:
            return self.fields["part"].queryset.filter(pk=part).values_list("site_id", flat=True).first()
        return None


class UnitForm(ServiceModelForm):
    class Meta:
        model = m.Unit
        fields = ["name", "credit_code", "kind", "district", "address", "contact_name", "contact_phone",
                  "person_in_charge_name", "person_in_charge_phone", "person_directly_responsible_name",
                  "person_directly_responsible_phone"]
        help_texts = {
            "credit_code": _("18 characters, as on the business licence (GB 32100-2015)"),
            "kind": _("business or non-business: decides the fine range under art. 24"),
            "person_in_charge_name": _("named in art. 25 penalty decisions as the person in charge"),
            "person_directly_responsible_name": _("named in art. 25 penalty decisions as the person directly responsible"),
        }


class FirmForm(ServiceModelForm):
    class Meta:
        model = m.Firm
        fields = ["name", "credit_code", "district", "address", "contact_name", "contact_phone", "does_design",
                  "does_installation", "does_repair"]
        help_texts = {"district": _("where the firm is registered; completed works are filed with this district's "
                                    "prevention office (art. 16)")}


class ProductForm(ServiceModelForm):
    class Meta:
        model = m.Product
        fields = ["brand", "model", "product_type", "in_catalogue", "meets_standard", "standards"]
