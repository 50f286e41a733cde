"""The device list filtered by district and kind (issue 2 §7): p95 over 200 requests, web UI and API,
first page and deep keyset pages, with the query count per request; and, as a baseline in the same
run, the bare indexed SELECT of the same pages. Target: p95 <= 100 ms, constant query count."""
import random
from itertools import cycle

from django.db import connection
from django.urls import reverse

from bench.common import BenchContext, measure, percentile

PAGE = 50
DISTRICT, KIND = "530111", "camera"  # 官渡区, the district with the most devices in the demo city


def page_cursors(ctx: BenchContext, n: int) -> list[int]:
    """`after` values spread over the whole filtered list (deep pages), in a fixed random order."""
    from jifang.registry.models import Device

    ids = list(Device.objects.filter(district_id=DISTRICT, kind=KIND).order_by("id").values_list("id", flat=True))
    rng = random.Random(ctx.seed)
    return [ids[rng.randrange(len(ids) - PAGE)] for _ in range(n)]


def requester(client, url: str, cursors, expect: str):
    cursors = cycle(cursors)

    def get():
        after = next(cursors)
        params = {"district": DISTRICT, "kind": KIND, **({"after": after} if after is not None else {})}
        response = client.get(url, params)
        if response.status_code != 200 or expect not in response.content.decode():
            raise RuntimeError(f"unexpected response {response.status_code} for {url} {params}")
        return response

    return get


def bare_select(cursors):
    """What the database alone needs for the same page: the index range scan, nothing else."""
    cursors = cycle(cursors)
    sql = ("SELECT id, serial, name, kind, status, site_id, district_id, product_id FROM registry_device "
           "WHERE district_id = %s AND kind = %s AND id > %s ORDER BY id LIMIT %s")

    def select():
        with connection.cursor() as cursor:
            cursor.execute(sql, [DISTRICT, KIND, next(cursors) or 0, PAGE + 1])
            return cursor.fetchall()

    return select


def run(ctx: BenchContext) -> None:
    n = ctx.requests
    deep = page_cursors(ctx, n)
    first = [None]
    city = ctx.client(ctx.user("city_officer", "530100"))
    district = ctx.client(ctx.user("district_officer", DISTRICT))
    ui, api = reverse("registry:device_list"), "/api/devices/"

    base_first = ctx.record("baseline: bare indexed SELECT, first page", measure(bare_select(first), n=n)[0])
    base_deep = ctx.record("baseline: bare indexed SELECT, deep pages", measure(bare_select(deep), n=n)[0])
    cases = [
        ("UI, city officer, first page", city, ui, first, "<table", base_first),
        ("UI, city officer, deep keyset pages", city, ui, deep, "<table", base_deep),
        ("UI, district officer (scoped), deep pages", district, ui, deep, "<table", base_deep),
        ("API, city officer, deep keyset pages", city, api, deep, '"results"', base_deep),
    ]
    for name, client, url, cursors, expect, baseline in cases:
        measured = measure(requester(client, url, cursors, expect), n=n)
        samples, queries = measured
        result = ctx.record(name, samples, queries=queries, target_ms=100)
        result.extra["cpu_p95_ms"] = round(percentile(measured.cpu, 95) * 1000, 1)
        result.extra["x_baseline_p95"] = round(result.p95_ms / baseline.p95_ms, 1) if baseline.p95_ms else None
