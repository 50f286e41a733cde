"""Factories for tests. They write through the ORM directly (fast set-up); tests of behaviour
call the service functions. Denormalised columns are filled the way the services fill them."""
import random

import factory
from factory.django import DjangoModelFactory

from jifang.accounts.models import User

from jifang.core.roles import Role
from jifang.core.validators import CREDIT_CODE_ALPHABET, credit_code_check_char
from jifang.registry import models as m

_rng = random.Random(1234)


def credit_code(district: str = "530102") -> str:
    """A valid 18-character code: 9 (registration authority) 1 (kind) + division + 9 random + check."""
    body = "91" + district + "".join(_rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
    return body + credit_code_check_char(body)


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = m.Unit

    name = factory.Faker("company", locale="zh_CN")
    credit_code = factory.LazyAttribute(lambda o: credit_code(o.district_id))
    kind = m.UnitKind.BUSINESS
    district_id = "530102"
    address = factory.Faker("street_address", locale="zh_CN")
    person_in_charge_name = factory.Faker("name", locale="zh_CN")
    person_directly_responsible_name = factory.Faker("name", locale="zh_CN")


class FirmFactory(DjangoModelFactory):
    class Meta:
        model = m.Firm

    name = factory.Sequence(lambda n: f"昆明安防工程有限公司{n}")
    credit_code = factory.LazyAttribute(lambda o: credit_code(o.district_id))
    district_id = "530102"


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = m.Product

    brand = "海康威视"
    model = factory.Sequence(lambda n: f"DS-2CD{n:04d}")
    product_type = m.ProductType.CAMERA
    in_catalogue = True
    meets_standard = True
    standards = "GB 20815-2006"


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = m.Site

    code = factory.Sequence(lambda n: f"S{n:07d}")
    name = factory.Sequence(lambda n: f"测试场所{n}")
    unit = factory.SubFactory(UnitFactory)
    district_id = factory.LazyAttribute(lambda o: o.unit.district_id)
    art6_point = m.Art6Point.POINT_5


class SitePartFactory(DjangoModelFactory):
    class Meta:
        model = m.SitePart

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"出入口{n}")
    area_kind = m.AreaKind.ENTRANCE


class SystemFactory(DjangoModelFactory):
    class Meta:
        model = m.SecuritySystem

    code = factory.Sequence(lambda n: f"SYS{n:07d}")
    name = factory.Sequence(lambda n: f"视频监控系统{n}")
    site = factory.SubFactory(SiteFactory)
    unit_id = factory.LazyAttribute(lambda o: o.site.unit_id)
    district_id = factory.LazyAttribute(lambda o: o.site.district_id)
    has_audio_video = True
    status = m.SystemStatus.IN_USE
    # Order 799 art. 9 (other public places): exempt from its filing (art. 14) and retention (art. 17)
    # duties, so a test about the Kunming order's retention sees only that order's finding. Tests of
    # order 799 choose the class they need ("" unclassified, art7_*, art33).
    public_video_class = m.PublicVideoClass.OTHER_PUBLIC
    acceptance_result = m.AcceptanceResult.PASSED
    acceptance_date = factory.Faker("date_between", start_date="-5y", end_date="-1y")
    reserved_interface = True
    retention_days = 30


class DeviceFactory(DjangoModelFactory):
    class Meta:
        model = m.Device

    serial = factory.Sequence(lambda n: f"SN{n:09d}")
    system = factory.SubFactory(SystemFactory)
    site_id = factory.LazyAttribute(lambda o: o.system.site_id)
    unit_id = factory.LazyAttribute(lambda o: o.system.unit_id)
    district_id = factory.LazyAttribute(lambda o: o.system.district_id)
    kind = m.DeviceKind.CAMERA
    product = factory.SubFactory(ProductFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.CITY_OFFICER
    division_id = "530100"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if extracted:
            self.units.set(extracted)
        self.save()
