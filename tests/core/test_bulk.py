import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jifang.core import bulk
from jifang.registry import models as m
from jifang.regulation.models import ScanRun

from .. import factories as f

pytestmark = pytest.mark.django_db


def _devices(system, n, start=0):
    return [m.Device(serial=f"BULK{start + i:06d}", name=f"摄像机{i}", system=system, site_id=system.site_id,
                     unit_id=system.unit_id, district_id=system.district_id, kind=m.DeviceKind.CAMERA,
                     installed_on=dt.date(2024, 1, 1) + dt.timedelta(days=i % 400) if i % 3 else None,
                     gb28181_id=None, dc09_account="" if i % 2 else "a'b\"c\\d")
            for i in range(n)]


@pytest.mark.parametrize("rows_per_statement", [bulk.MAX_ROWS, 7])
def test_insert_objects_gives_each_object_its_own_pk_and_the_values_read_back(monkeypatch, rows_per_statement):
    # 7 rows a statement: many statements and a short last one, the keys must still be in order
    monkeypatch.setattr(bulk, "MAX_ROWS", rows_per_statement)
    system = f.SystemFactory()
    objs = _devices(system, 2503)
    before = timezone.now()
    assert bulk.insert_objects(m.Device, objs) == objs
    pks = [o.pk for o in objs]
    assert all(isinstance(pk, int) for pk in pks) and pks == sorted(set(pks))
    stored = {d.pk: d for d in m.Device.objects.filter(pk__in=pks)}
    assert len(stored) == len(objs)
    for obj in objs:
        row = stored[obj.pk]
        assert (row.serial, row.name, row.installed_on, row.dc09_account, row.system_id, row.district_id) == (
            obj.serial, obj.name, obj.installed_on, obj.dc09_account, obj.system_id, obj.district_id)
        # auto_now / auto_now_add filled, on the object too, as bulk_create does
        assert row.created_at == row.updated_at == obj.created_at and row.created_at >= before
        assert not obj._state.adding


def test_sqlite_statements_stay_within_the_parameter_limit():
    assert bulk.rows_per_statement(SimpleNamespace(features=SimpleNamespace(max_query_params=999)), 14) == 71
    assert bulk.rows_per_statement(SimpleNamespace(features=SimpleNamespace(max_query_params=None)), 14) == bulk.MAX_ROWS
    assert bulk.rows_per_statement(SimpleNamespace(features=SimpleNamespace(max_query_params=5)), 14) == 1
    per = bulk.rows_per_statement(connection, 15)
    assert per * 15 <= (connection.features.max_query_params or bulk.PG_MAX_PARAMS)


def test_insert_rows_prepares_json_dates_and_constants():
    as_of = dt.date(2026, 3, 1)
    counts = [{"new": i, "packs": ["kunming@1"], "名称": "五华区", "nested": {"a": [1, 2.5, None]}} for i in range(5)]
    finished = timezone.now() - dt.timedelta(hours=1)
    pks = bulk.insert_rows(ScanRun, ["counts", "finished_at", "area"],
                           [(c, finished if i % 2 else None, f"区{i}") for i, c in enumerate(counts)],
                           constants={"as_of": as_of, "actor_label": "bulk"})
    runs = list(ScanRun.objects.filter(pk__in=pks).order_by("pk"))
    assert [r.pk for r in runs] == pks
    assert [r.counts for r in runs] == counts
    assert [r.area for r in runs] == [f"区{i}" for i in range(5)]
    assert [r.finished_at for r in runs] == [finished if i % 2 else None for i in range(5)]
    assert {(r.as_of, r.actor_label) for r in runs} == {(as_of, "bulk")}
    assert all(r.started_at is not None for r in runs)  # auto_now_add


def test_json_text_is_stored_as_given_and_reads_back_as_its_value():
    texts = ['{"a":1,"b":"昆明\\"x\\""}', "null", '[1,{"z":null}]']
    pks = bulk.insert_rows(ScanRun, ["counts"], [(t,) for t in texts], constants={"as_of": dt.date(2026, 1, 1)},
                           json_text=["counts"])
    got = list(ScanRun.objects.filter(pk__in=pks).order_by("pk").values_list("counts", flat=True))
    assert got == [json.loads(t) for t in texts]


def test_columns_not_given_hold_what_a_new_object_would():
    (pk,) = bulk.insert_rows(ScanRun, ["as_of"], [(dt.date(2026, 2, 1),)])
    run, new = ScanRun.objects.get(pk=pk), ScanRun()
    assert (run.area, run.actor_label, run.finished_at, run.counts) == (new.area, new.actor_label, None, {})


def test_without_returning_rows_are_inserted_and_nothing_returned():
    assert bulk.insert_rows(ScanRun, ["as_of"], [(dt.date(2026, 1, d),) for d in range(1, 4)], returning=False) is None
    assert ScanRun.objects.filter(as_of__year=2026, as_of__month=1).count() == 3


def test_a_refused_row_raises_djangos_integrity_error_and_writes_nothing():
    system = f.SystemFactory()
    objs = _devices(system, 3) + _devices(system, 1)  # the last repeats the first serial
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_objects(m.Device, objs)
    assert not m.Device.objects.filter(serial__startswith="BULK").exists()


def test_what_it_cannot_do_is_refused():
    system = f.SystemFactory()
    with pytest.raises(ValueError, match="new objects only"):
        bulk.insert_objects(m.Device, [m.Device(pk=10**9, system=system)])
    with pytest.raises(ValueError, match="primary key"):
        bulk.insert_rows(ScanRun, ["id", "as_of"], [(1, dt.date(2026, 1, 1))])
    assert bulk.insert_objects(m.Device, []) == []


def test_the_inserts_show_in_the_query_log(django_assert_num_queries):
    # one statement per batch, counted like any other query (tests and DEBUG see them on both backends)
    with django_assert_num_queries(1) as ctx:
        bulk.insert_rows(ScanRun, ["as_of"], [(dt.date(2026, 1, d),) for d in range(1, 29)], returning=False)
    assert "INSERT INTO" in ctx.captured_queries[0]["sql"]
