"""The only write path for the registry. Each function validates, checks the actor's right,
and writes its audit row in one transaction; core.services keeps the copied district/unit/site columns
in step (core.copies, declared on the models)."""
from jifang.core.errors import NotPermitted, ServiceError
from jifang.core.roles import POLICE_AND_ADMIN
from jifang.core.services import create_object, update_object

from .models import AcceptanceResult, Device, Firm, Product, SecuritySystem, Site, SitePart, SystemStatus, Unit


def _refuse_use_without_acceptance(actor, system: SecuritySystem) -> None:
    """art_14 para 2: a system not accepted, or that failed acceptance, may not be put into use.
    Units and firms are refused; the police may still *record* a system found in use unaccepted,
    since the registry must hold the facts the rule engine then reports."""
    if (
        system.status == SystemStatus.IN_USE
        and system.acceptance_result != AcceptanceResult.PASSED
        and actor.role not in POLICE_AND_ADMIN
    ):
        raise ServiceError(
            "未经验收或者验收不合格的技防系统，不得投入使用（第十四条第二款）",
            "a system that has not passed acceptance may not be put into use (art. 14 para. 2)",
            clause="art_14__para_2",
        )


def _system_prepare(actor):
    def prepare(system: SecuritySystem) -> None:
        _refuse_use_without_acceptance(actor, system)

    return prepare


def unit_create(*, actor, **data) -> Unit:
    return create_object(actor=actor, model=Unit, data=data)


def unit_update(*, actor, unit: Unit, **data) -> Unit:
    return update_object(actor=actor, obj=unit, data=data)


def firm_create(*, actor, **data) -> Firm:
    return create_object(actor=actor, model=Firm, data=data)


def firm_update(*, actor, firm: Firm, **data) -> Firm:
    return update_object(actor=actor, obj=firm, data=data)


def product_create(*, actor, **data) -> Product:
    return create_object(actor=actor, model=Product, data=data)


def product_update(*, actor, product: Product, **data) -> Product:
    return update_object(actor=actor, obj=product, data=data)


def _site_district_from_unit(site: Site) -> None:
    """A site is in its unit's district unless the registrant says otherwise (a branch elsewhere)."""
    if not site.district_id and site.unit_id:
        site.district_id = site.unit.district_id


def site_create(*, actor, **data) -> Site:
    return create_object(actor=actor, model=Site, data=data, prepare=_site_district_from_unit)


def site_update(*, actor, site: Site, **data) -> Site:
    # A site that changes hands or district carries its systems, devices and works with it (core.copies).
    return update_object(actor=actor, obj=site, data=data)


def site_part_create(*, actor, **data) -> SitePart:
    return create_object(actor=actor, model=SitePart, data=data)


def site_part_update(*, actor, part: SitePart, **data) -> SitePart:
    return update_object(actor=actor, obj=part, data=data)


def system_create(*, actor, **data) -> SecuritySystem:
    if actor.role == "firm_user":
        # A firm's systems come to it through the works it does for a unit (or the unit naming
        # it); a firm registering a system itself could attach one to any unit's site.
        raise NotPermitted("技防企业不能自行登记技防系统，请由建设单位登记",
                           "a firm cannot register a system itself; the builder unit registers it")
    return create_object(actor=actor, model=SecuritySystem, data=data, prepare=_system_prepare(actor))


def system_update(*, actor, system: SecuritySystem, **data) -> SecuritySystem:
    # A system moved to another site takes its devices along (core.copies).
    return update_object(actor=actor, obj=system, data=data, prepare=_system_prepare(actor))


def device_create(*, actor, **data) -> Device:
    return create_object(actor=actor, model=Device, data=data)


def device_update(*, actor, device: Device, **data) -> Device:
    return update_object(actor=actor, obj=device, data=data)
