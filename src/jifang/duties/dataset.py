"""The unit's registers in the dataset format (core/dataset/), one sheet per register, so a unit can
load the registers it kept on paper or in spreadsheets. Registered from DutiesConfig.ready, after
the registry's sheets they refer to (sites and systems by code).

Each row obeys the same rules as an entry made on a page (services.entry_check: the actor keeps
the site's registers, a system's record takes its system's site, nothing dated ahead, the
register's own rules); a bad row refuses the whole file, with the cell and the reason. Entries
are never changed: a row whose number is already stored is refused unless it is unchanged (record a
correction instead). A cleared person's phone number is not in the sheet: it is entered on the
page or through the API, which store it encrypted."""
from jifang.core.dataset import Ref, Sheet, columns_for, register
from jifang.core.errors import ServiceError

from . import registers, services


def _prepare(actor):
    def prepare(entry) -> None:
        services.entry_check(actor, entry)
        if entry.recorded_by_id is None and getattr(actor, "pk", None):
            entry.recorded_by = actor

    return prepare


def _frozen(entry) -> None:
    raise ServiceError("登记 {n} 已存在，登记不能修改；如有错误请另行登记更正", "entry {n} exists and cannot change; "
                       "record a correction instead", n=entry.number)


def _corrects_ref(model) -> dict[str, Ref]:
    return {"corrects": Ref("corrects", "更正的登记编号", model._meta.get_field("corrects"), required=False,
                            target=model, lookup=("number",), export_paths=("corrects__number",))}


def register_sheets() -> None:
    for r in registers.REGISTERS:
        register(Sheet(r.sheet, r.sheet_title, r.model, columns_for(r.model, r.headers, refs=_corrects_ref(r.model)),
                       prepare=_prepare, frozen=_frozen, select_related=("site",)))
