"""Loading the unit's registers from a file (core/dataset): a good file loads every sheet; one bad row
refuses the whole file, naming the row and the reason; a stored entry never changes by import."""
import json

import pytest

from jifang.core.dataset import dataset_import
from jifang.duties import models as m
from tests.factories import DeviceFactory, SiteFactory, SystemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def system(wuhua_unit):
    return DeviceFactory(system=SystemFactory(site=SiteFactory(unit=wuhua_unit))).system


def sheets(system) -> dict:
    site, code = system.site.code, system.code
    return {
        "maintenance_records": [{"number": "WB-1", "system": code, "kind": "servicing", "performed_on": "2026-10-01",
                                 "performed_by": "维保公司", "description": "清洁镜头"}],
        "training_records": [{"number": "PX-1", "site": site, "held_on": "2026-09-01", "audience": "all",
                              "topic": "操作", "trainer": "王工", "trainees": "张三", "hours": 2}],
        "image_checks": [{"number": "TX-1", "system": code, "checked_on": "2026-10-02", "checked_by": "张三",
                          "cameras_checked": 8, "cameras_failing": 0}],
        "emergency_records": [{"number": "YJ-1", "site": site, "kind": "plan", "held_on": "2026-01-05",
                               "title": "应急预案", "summary": "预案全文见附件"}],
        "watch_rosters": [{"number": "PB-1", "site": site, "person_name": "张三", "on_from": "2026-11-01 08:00",
                           "on_to": "2026-11-01 20:00"}],
        "watch_logs": [{"number": "ZB-1", "site": site, "person_name": "张三", "watch_from": "2026-11-01 08:00",
                        "watch_to": "2026-11-01 20:00", "observations": "正常"}],
        "cleared_staff": [{"number": "ZM-1", "site": site, "person_name": "赵六", "role": "管理员",
                           "cleared_on": "2026-01-01"}],
        "suspicion_reports": [{"number": "KY-1", "site": site, "noticed_at": "2026-11-01 09:00",
                               "reported_at": "2026-11-01 09:05", "reported_to": "华山派出所", "reported_by": "张三",
                               "description": "可疑车辆"}],
    }


def doc(data: dict) -> bytes:
    return json.dumps({"format": "jifang-dataset", "version": 1, "sheets": data}).encode()


@pytest.mark.clause("art_20__para_1__point_2")
@pytest.mark.clause("art_21__para_1__point_1")
def test_a_unit_loads_its_registers(unit_user, system):
    result = dataset_import(actor=unit_user, data=doc(sheets(system)))
    assert result.ok, result.errors
    for model in m.UNIT_REGISTERS:
        entry = model.objects.get()
        assert (entry.site_id, entry.unit_id, entry.district_id) == (system.site_id, system.unit_id, "530102")
        assert entry.recorded_by == unit_user
    again = dataset_import(actor=unit_user, data=doc(sheets(system)))  # a number is loaded once
    assert not again.ok and all(model.objects.count() == 1 for model in m.UNIT_REGISTERS)


BAD_ROWS = [
    ("maintenance_records", {"kind": "repair"}),                         # a repair without its fault
    ("image_checks", {"cameras_failing": 9}),                            # more failing than checked
    ("watch_rosters", {"on_to": "2026-11-01 07:00"}),                   # ends before it starts
    ("suspicion_reports", {"reported_at": "2026-11-01 08:00"}),         # reported before noticed
    ("training_records", {"held_on": "2999-01-01"}),                     # ahead of today
    ("emergency_records", {"kind": "exercise"}),                         # not a kind
    ("cleared_staff", {"site": "NO-SUCH-SITE"}),                         # unknown site
]


@pytest.mark.parametrize(("sheet", "bad"), BAD_ROWS, ids=[s for s, _ in BAD_ROWS])
def test_one_bad_row_refuses_the_whole_file(unit_user, system, sheet, bad):
    data = sheets(system)
    data[sheet] = [data[sheet][0], {**data[sheet][0], "number": f"{data[sheet][0]['number']}-2", **bad}]
    result = dataset_import(actor=unit_user, data=doc(data))
    assert not result.ok
    assert {e.sheet for e in result.errors} == {sheet}
    assert not any(model.objects.exists() for model in m.UNIT_REGISTERS)


def test_a_stored_entry_does_not_change_by_import_nor_can_the_police_or_another_unit_load_one(
        unit_user, system, wuhua_officer, panlong_unit):
    assert dataset_import(actor=unit_user, data=doc(sheets(system))).ok
    changed = sheets(system)
    changed["watch_logs"][0] |= {"id": m.WatchLog.objects.get().pk, "observations": "改写"}
    assert not dataset_import(actor=unit_user, data=doc({"watch_logs": changed["watch_logs"]})).ok
    assert m.WatchLog.objects.get().observations == "正常"
    new = {"watch_logs": [{**sheets(system)["watch_logs"][0], "number": "ZB-9"}]}
    assert not dataset_import(actor=wuhua_officer, data=doc(new)).ok
    foreign = SystemFactory(site=SiteFactory(unit=panlong_unit))
    assert not dataset_import(actor=unit_user, data=doc({"watch_logs": [{**new["watch_logs"][0],
                                                                          "site": foreign.site.code}]})).ok
    assert m.WatchLog.objects.count() == 1
