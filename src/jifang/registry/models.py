"""The nouns of the law: units, sites and their parts, security systems, devices, firms, products.

District, unit and site are copied onto systems and devices (by registry.services, the only write
path) so that the scoped, filtered device list at 1,000,000 rows is one index range scan.
"""
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jifang.core.copies import Copied
from jifang.core.models import TimeStampedModel
from jifang.core.scoping import ScopePaths
from jifang.core.writes import OFFICERS, OWNER, POLICE, ByValue, FieldWrites, Procedure
from django.core.exceptions import ValidationError

from jifang.core.i18n import bilingual
from jifang.core.validators import (
    validate_credit_code, validate_district, validate_gb28181_id, validate_not_future, validate_retention_days,
)

WRITERS_UNIT = frozenset({"unit_user"})
WRITERS_UNIT_FIRM = frozenset({"unit_user", "firm_user"})

# The procedures that alone establish some registry facts (see core/writes.py). The works app runs
# them and writes their facts through core.services.procedure_write.
ACCEPTANCE = Procedure("acceptance", zh="竣工验收（第十四条）", en="the completion acceptance (art. 14)",
                       clause="art_14__para_2")
NETWORKING = Procedure("networking", zh="联网通知及其确认（第十条、第十三条）",
                       en="a networking notice and its confirmation (art. 10, 13)", clause="art_13__para_2")


def _units_of_firm_systems(firm_id) -> Q:
    return Q(pk__in=SecuritySystem.objects.filter(firm_id=firm_id).values("unit_id"))


def _sites_of_firm_systems(firm_id) -> Q:
    return Q(pk__in=SecuritySystem.objects.filter(firm_id=firm_id).values("site_id"))


def _parts_of_firm_systems(firm_id) -> Q:
    return Q(site_id__in=SecuritySystem.objects.filter(firm_id=firm_id).values("site_id"))


class RegistryModel(TimeStampedModel):
    """Registry rows link to their detail page at registry:<model>_detail."""

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return reverse(f"registry:{self._meta.model_name}_detail", args=[self.pk])


class UnitKind(models.TextChoices):
    """经营性 / 非经营性: decides the art_24 fine range. Unknown stays unknown, never guessed."""

    BUSINESS = "business", _("business unit")
    NON_BUSINESS = "non_business", _("non-business unit")
    UNKNOWN = "unknown", _("unknown")


class Unit(RegistryModel):
    """单位: a bank, hotel, school, hospital, residential compound... that owns sites."""

    name = models.CharField(_("unit name"), max_length=200, db_index=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    kind = models.CharField(_("unit kind"), max_length=16, choices=UnitKind.choices, default=UnitKind.UNKNOWN)
    district = models.ForeignKey(
        "accounts.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("district"),
        validators=[validate_district],
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    person_in_charge_name = models.CharField(_("person in charge"), max_length=50, blank=True)
    person_in_charge_phone = models.CharField(_("phone of the person in charge"), max_length=30, blank=True)
    person_directly_responsible_name = models.CharField(_("person directly responsible"), max_length=50, blank=True)
    person_directly_responsible_phone = models.CharField(
        _("phone of the person directly responsible"), max_length=30, blank=True
    )

    scope = ScopePaths(district="district_id", unit="id", firm=_units_of_firm_systems, writers=WRITERS_UNIT)
    natural_key_fields = ("credit_code",)
    writes = FieldWrites({"kind": POLICE, "credit_code": POLICE, "district": POLICE})

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["district", "id"])]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return self.name


class Firm(RegistryModel):
    """技防企业: designs, installs and repairs systems; files completed works (art_16)."""

    name = models.CharField(_("firm name"), max_length=200, db_index=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    district = models.ForeignKey(
        "accounts.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("district"),
        validators=[validate_district],
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    does_design = models.BooleanField(_("designs systems"), default=True)
    does_installation = models.BooleanField(_("installs systems"), default=True)
    does_repair = models.BooleanField(_("repairs systems"), default=True)

    # The firm directory is public to every signed-in user; art_17 forbids the police to steer
    # units towards a firm, so lists are ordered by id (registration order), never ranked.
    scope = ScopePaths(district="district_id", firm="id", public=True, writers=frozenset({"firm_user"}))
    natural_key_fields = ("credit_code",)
    # where the firm is registered (it files with that office, art_16): the police keep it, as a unit's
    writes = FieldWrites({"credit_code": POLICE, "district": POLICE})

    class Meta:
        ordering = ["id"]
        verbose_name = _("firm")
        verbose_name_plural = _("firms")

    def __str__(self):
        return self.name


class ProductType(models.TextChoices):
    CAMERA = "camera", _("camera")
    RECORDER = "recorder", _("video recorder (NVR/DVR)")
    ALARM_PANEL = "alarm_panel", _("alarm control panel")
    DETECTOR = "detector", _("intrusion detector")
    ACCESS_CONTROLLER = "access_controller", _("access controller")
    INSPECTION = "inspection", _("explosive inspection equipment")
    OTHER = "other", _("other")


class Product(RegistryModel):
    """技防产品: art_3 para 2 (national catalogue) and art_15 para 2 (standards)."""

    brand = models.CharField(_("brand"), max_length=100)
    model = models.CharField(_("model"), max_length=100)
    product_type = models.CharField(_("product type"), max_length=24, choices=ProductType.choices)
    in_catalogue = models.BooleanField(_("in the national catalogue"), default=False)
    meets_standard = models.BooleanField(_("meets a national, provincial, industry or local standard"), default=False)
    standards = models.CharField(_("standards met"), max_length=200, blank=True, help_text=_("e.g. GB 20815-2006"))

    scope = ScopePaths(public=True)
    natural_key_fields = ("brand", "model")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["brand", "model"], name="product_brand_model_unique")]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return f"{self.brand} {self.model}"


class Art6Point(models.IntegerChoices):
    """第六条 (一)-(十): the categories of sites that must have a security system."""

    POINT_1 = 1, _("(1) gas, water, power and other key infrastructure")
    POINT_2 = 2, _("(2) stores of weapons, explosives, toxic, radioactive or controlled substances, pathogens")
    POINT_3 = 3, _("(3) state-secret places of party and government organs and state enterprises")
    POINT_4 = 4, _("(4) museums, memorial halls, exhibition halls holding cultural relics or valuables")
    POINT_5 = 5, _("(5) vaults, currency and securities sites, cash vans, banks and financial institutions")
    POINT_6 = 6, _("(6) key parts of news, publishing, broadcasting, telecom and postal units")
    POINT_7 = 7, _("(7) entrances and passages of airports, bus and train stations, metro, docks, car parks")
    POINT_8 = 8, _("(8) entrances and passages of squares, venues, shopping malls, star hotels, hospitals, schools, "
                   "kindergartens, residential compounds")
    POINT_9 = 9, _("(9) key parts of city roads")
    POINT_10 = 10, _("(10) sites designated by the police")


class Site(RegistryModel):
    """场所: a place owned by a unit. `art6_point` set means the law requires a system there."""

    code = models.CharField(_("site code"), max_length=32, unique=True)
    name = models.CharField(_("site name"), max_length=200, db_index=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="sites", verbose_name=_("unit"))
    district = models.ForeignKey(
        "accounts.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("district"),
        validators=[validate_district],
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    art6_point = models.PositiveSmallIntegerField(
        _("art. 6 category"), choices=Art6Point.choices, null=True, blank=True,
        help_text=_("empty: not a site the law requires to have a system"),
    )
    designation_number = models.CharField(_("police designation number"), max_length=50, blank=True)
    designation_date = models.DateField(_("police designation date"), null=True, blank=True,
                                        validators=[validate_not_future])
    # Order 799 art. 10: near a military zone or a secret-holding unit, cameras need that unit's prior
    # consent. Where the secret units are is the police's knowledge, so they mark the site; the unit
    # records the consent it obtained (date and document number). The secret unit is not named here.
    near_secret_unit = models.BooleanField(_("near a secret-holding unit"), default=False)
    secret_unit_consent_on = models.DateField(_("consent of the secret-holding unit given on"), null=True, blank=True,
                                              validators=[validate_not_future])
    secret_unit_consent_ref = models.CharField(_("consent document number"), max_length=50, blank=True)

    scope = ScopePaths(district="district_id", unit="unit_id", firm=_sites_of_firm_systems, writers=WRITERS_UNIT)
    natural_key_fields = ("code",)
    # The art_6 category is the police's classification; point 10 and its designation are an act
    # of police officers (an administrator corrects them, with a reason). A unit registers its new
    # site in its district; only the police move a site to another unit or district.
    writes = FieldWrites(
        {"art6_point": ByValue(POLICE, {10: OFFICERS}), "designation_number": OFFICERS,
         "designation_date": OFFICERS, "unit": POLICE, "district": POLICE, "near_secret_unit": POLICE},
        on_create={"unit": OWNER, "district": OWNER},
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["district", "id"]),
            models.Index(fields=["art6_point", "district"]),
        ]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self):
        return self.name

    def clean(self):
        if self.art6_point == Art6Point.POINT_10 and not (self.designation_number and self.designation_date):
            raise ValidationError(
                bilingual("第六条第（十）项场所须填写公安机关指定文号和日期",
                          "an art. 6 point 10 site needs the police designation number and date"),
                code="designation",
            )


class AreaKind(models.TextChoices):
    ENTRANCE = "entrance", _("entrance")
    MAIN_PASSAGE = "main_passage", _("main passage")
    VAULT = "vault", _("vault")
    BUSINESS_HALL = "business_hall", _("business hall")
    CASH_AREA = "cash_area", _("cash handling area")
    STORAGE = "storage", _("storage area")
    PERIMETER = "perimeter", _("perimeter")
    PARKING = "parking", _("car park")
    CONTROL_ROOM = "control_room", _("control room")
    OFFICE = "office", _("office area")
    ROAD = "road", _("road section")
    OTHER = "other", _("other public area")
    # art_7: private places where audio-video systems are forbidden
    HOTEL_ROOM = "hotel_room", _("hotel guest room")
    PUBLIC_BATH = "public_bath", _("public bath")
    PUBLIC_TOILET = "public_toilet", _("public toilet")
    CHANGING_ROOM = "changing_room", _("changing room")
    FITTING_ROOM = "fitting_room", _("fitting room")
    NURSING_ROOM = "nursing_room", _("nursing room")
    OTHER_PRIVATE = "other_private", _("other private place")
    # order 799 art. 8 para. 1: also forbidden (the Kunming art_7 list does not name them)
    GUESTHOUSE_ROOM = "guesthouse_room", _("guesthouse (minsu) guest room")
    RESTAURANT_ROOM = "restaurant_room", _("restaurant private room")
    HOSTEL_ROOM = "hostel_room", _("hostel guest room")
    STUDENT_DORMITORY = "student_dormitory", _("student dormitory room")
    STAFF_REST_ROOM = "staff_rest_room", _("staff dormitory or rest room")


PRIVATE_AREA_KINDS = frozenset(
    {
        AreaKind.HOTEL_ROOM,
        AreaKind.PUBLIC_BATH,
        AreaKind.PUBLIC_TOILET,
        AreaKind.CHANGING_ROOM,
        AreaKind.FITTING_ROOM,
        AreaKind.NURSING_ROOM,
        AreaKind.OTHER_PRIVATE,
    }
)
# Order 799 art. 8 para. 1 forbids cameras in more rooms than the Kunming art_7 list.
PROHIBITED_AREA_KINDS_799 = PRIVATE_AREA_KINDS | {
    AreaKind.GUESTHOUSE_ROOM,
    AreaKind.RESTAURANT_ROOM,
    AreaKind.HOSTEL_ROOM,
    AreaKind.STUDENT_DORMITORY,
    AreaKind.STAFF_REST_ROOM,
}


class SitePart(RegistryModel):
    """部位: a part of a site (entrance, vault, guest room...); its area kind carries art_7."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="parts", verbose_name=_("site"))
    name = models.CharField(_("part name"), max_length=100)
    area_kind = models.CharField(_("area kind"), max_length=24, choices=AreaKind.choices)
    # Order 799 art. 8 para. 1 item 4: any other spot where a camera can film, peep at or overhear
    # private life. Whether a spot is one is an officer's finding on the spot, not the unit's say.
    privacy_spot = models.BooleanField(_("spot where a camera can film private life"), default=False)

    scope = ScopePaths(district="site__district_id", unit="site__unit_id", firm=_parts_of_firm_systems, writers=WRITERS_UNIT)
    natural_key_fields = ("site", "name")
    writes = FieldWrites({"privacy_spot": OFFICERS})

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="sitepart_site_name_unique")]
        verbose_name = _("site part")
        verbose_name_plural = _("site parts")

    def __str__(self):
        return f"{self.site.name} / {self.name}" if self.site_id else self.name

    @property
    def is_private(self) -> bool:
        return self.area_kind in PROHIBITED_AREA_KINDS_799 or self.privacy_spot


class SystemStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    UNDER_CONSTRUCTION = "under_construction", _("under construction")
    ACCEPTED = "accepted", _("accepted")
    IN_USE = "in_use", _("in use")
    SUSPENDED = "suspended", _("suspended")
    RETIRED = "retired", _("retired")


class AcceptanceResult(models.TextChoices):
    NONE = "", _("not yet accepted")
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")


class PublicVideoClass(models.TextChoices):
    """Order 799: who must build the video system and which duties apply (art. 7, 9, 33)."""

    GOVERNMENT = "art7_1", _("government system in main public places (art. 7 para. 1)")
    CROWDED_PLACE = "art7_2_1", _("operator: crowded places (art. 7 para. 2 item 1)")
    TRANSPORT_HUB = "art7_2_2", _("operator: transport hubs (art. 7 para. 2 item 2)")
    PUBLIC_VEHICLE = "art7_2_3", _("operator: large and medium public vehicles (art. 7 para. 2 item 3)")
    SERVICE_AREA = "art7_2_4", _("operator: motorway and trunk-road service areas (art. 7 para. 2 item 4)")
    OTHER_PUBLIC = "art9", _("other public places (art. 9)")
    NON_PUBLIC = "art33", _("non-public place (art. 33)")


# Art. 9 para. 2: systems in other public places are exempt from art. 11, 14, 15, 16 para. 2 and 17;
# art. 33: the regulation's duties on public video systems do not apply in non-public places.
EXEMPT_FROM_ART17 = frozenset({PublicVideoClass.OTHER_PUBLIC, PublicVideoClass.NON_PUBLIC})


class SecuritySystem(RegistryModel):
    """技防系统 at a site. Subsystems are flags; two or more make an integrated system (art_3 para 3)."""

    code = models.CharField(_("system code"), max_length=32, unique=True)
    name = models.CharField(_("system name"), max_length=200)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="systems", verbose_name=_("site"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("unit"))
    district = models.ForeignKey(
        "accounts.Division", on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("district")
    )
    investor = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("investor")
    )
    builder = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("builder")
    )
    operator = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("operator")
    )
    firm = models.ForeignKey(
        Firm, null=True, blank=True, on_delete=models.PROTECT, related_name="systems",
        verbose_name=_("installing / maintaining firm"),
    )
    has_intrusion_alarm = models.BooleanField(_("intrusion alarm subsystem"), default=False)
    has_audio_video = models.BooleanField(_("audio-video subsystem"), default=False)
    has_access_control = models.BooleanField(_("access control subsystem"), default=False)
    has_explosive_inspection = models.BooleanField(_("explosive inspection subsystem"), default=False)
    status = models.CharField(_("status"), max_length=24, choices=SystemStatus.choices, default=SystemStatus.PLANNED)
    in_use_since = models.DateField(_("in use since"), null=True, blank=True, validators=[validate_not_future])
    acceptance_date = models.DateField(_("acceptance date"), null=True, blank=True, validators=[validate_not_future])
    acceptance_result = models.CharField(
        _("acceptance result"), max_length=8, choices=AcceptanceResult.choices, default=AcceptanceResult.NONE, blank=True
    )
    acceptance_certificate = models.CharField(_("acceptance certificate number"), max_length=50, blank=True)
    reserved_interface = models.BooleanField(
        _("reserved police networking interface"), null=True, blank=True, help_text=_("empty: not known")
    )
    police_connected = models.BooleanField(_("connected to the police platform"), default=False)
    police_connected_since = models.DateField(_("connected since"), null=True, blank=True,
                                              validators=[validate_not_future])
    retention_days = models.PositiveIntegerField(
        _("configured recording retention (days)"), null=True, blank=True, help_text=_("empty: not known"),
        validators=[validate_retention_days],
    )
    is_public_area = models.BooleanField(_("public-area system (art. 10 para. 1)"), default=False)
    public_video_class = models.CharField(
        _("public video system class (order 799)"), max_length=8, choices=PublicVideoClass.choices, blank=True,
        help_text=_("empty: not yet classified; the duties of art. 7 systems apply"),
    )

    copied = Copied("site", ("unit", "district"))
    scope = ScopePaths(district="district_id", unit="unit_id", firm="firm_id", writers=WRITERS_UNIT_FIRM)
    natural_key_fields = ("code",)
    # A unit registers a system at its own site (checked after save); only the police move it.
    # Acceptance facts come from the acceptance, connection facts from the networking notice.
    writes = FieldWrites(
        {"site": POLICE, "status": ByValue(OWNER, {"accepted": ACCEPTANCE}),
         "acceptance_date": ACCEPTANCE, "acceptance_result": ACCEPTANCE, "acceptance_certificate": ACCEPTANCE,
         "reserved_interface": ACCEPTANCE, "police_connected": NETWORKING, "police_connected_since": NETWORKING,
         "public_video_class": POLICE},
        on_create={"site": OWNER},
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["district", "status"]),
            models.Index(fields=["unit", "id"]),
            models.Index(fields=["site", "status"]),
        ]
        verbose_name = _("security system")
        verbose_name_plural = _("security systems")

    def __str__(self):
        return self.name

    @property
    def subsystem_count(self) -> int:
        return sum(
            (self.has_intrusion_alarm, self.has_audio_video, self.has_access_control, self.has_explosive_inspection)
        )


class DeviceKind(models.TextChoices):
    CAMERA = "camera", _("camera")
    NVR = "nvr", _("network video recorder")
    DVR = "dvr", _("digital video recorder")
    ENCODER = "encoder", _("video encoder")
    ALARM_PANEL = "alarm_panel", _("alarm control panel")
    DETECTOR = "detector", _("intrusion detector")
    ACCESS_CONTROLLER = "access_controller", _("access controller")
    INSPECTION = "inspection", _("explosive inspection equipment")
    OTHER = "other", _("other")


AUDIO_VIDEO_KINDS = frozenset({DeviceKind.CAMERA, DeviceKind.NVR, DeviceKind.DVR, DeviceKind.ENCODER})


class DeviceStatus(models.TextChoices):
    # A context keeps "active" apart from django.contrib.auth's "active" (有效), whose catalogue wins.
    ACTIVE = "active", pgettext_lazy("device status", "active")
    FAULTY = "faulty", _("faulty")
    OFFLINE = "offline", _("offline")
    REMOVED = "removed", _("removed")


class Device(RegistryModel):
    """设备: one file per device."""

    serial = models.CharField(_("serial number"), max_length=64, unique=True)
    name = models.CharField(_("device name"), max_length=200, blank=True)
    # Indexed by (system, kind, status) below, not on its own: the filing check (national.dbview)
    # counts each filed system's cameras and looks for its recorders from the index alone.
    system = models.ForeignKey(SecuritySystem, on_delete=models.PROTECT, related_name="devices", verbose_name=_("system"),
                               db_index=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("site"))
    # Unit and district lead the composite indexes below, which serve every lookup by them: an index
    # of their own (and PostgreSQL's pattern index on the district code) would only slow the writes
    # of a million-row table.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("unit"),
                             db_index=False)
    district = models.ForeignKey(
        "accounts.Division", on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("district"),
        db_index=False,
    )
    kind = models.CharField(_("device kind"), max_length=24, choices=DeviceKind.choices)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="devices", verbose_name=_("product")
    )
    part = models.ForeignKey(
        SitePart, null=True, blank=True, on_delete=models.PROTECT, related_name="devices", verbose_name=_("installed at")
    )
    gb28181_id = models.CharField(
        _("GB/T 28181 ID"), max_length=20, null=True, blank=True, unique=True, validators=[validate_gb28181_id]
    )
    dc09_account = models.CharField(_("DC-09 account"), max_length=16, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.ACTIVE)
    installed_on = models.DateField(_("installed on"), null=True, blank=True, validators=[validate_not_future])
    # Order 799 art. 13: a conspicuous sign where a camera films. Per device, since one sign at the
    # entrance does not announce a camera in the car park.
    signage = models.BooleanField(_("conspicuous sign posted"), null=True, blank=True, help_text=_("empty: not known"))

    copied = Copied("system", ("site", "unit", "district"))
    scope = ScopePaths(district="district_id", unit="unit_id", firm="system__firm_id", writers=WRITERS_UNIT_FIRM)
    natural_key_fields = ("serial",)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["district", "kind", "id"]),
            models.Index(fields=["unit", "id"]),
            models.Index(fields=["kind", "id"]),
            models.Index(fields=["system", "kind", "status"]),
        ]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self):
        return self.name or self.serial

    def clean(self):
        if self.part_id and self.system_id and self.part.site_id != self.system.site_id:
            raise ValidationError(
                bilingual("设备安装部位不属于该系统所在场所", "the device's part is not at its system's site"),
                code="part_site",
            )
