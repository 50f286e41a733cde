"""The demo city: deterministic, plausible, and its manifest says exactly what violates what."""
import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q

from jifang.core.divisions import DISTRICTS
from jifang.accounts.models import User
from jifang.core.roles import Role
from jifang.core import audit
from jifang.core.demo import demo_hooks, seed_city
from jifang.core.models import AuditEntry
from jifang.core.scoping import visible
from jifang.core.validators import validate_credit_code
from jifang.registry import demo as registry_demo
from jifang.registry import models as m

TODAY = dt.date(2026, 11, 1)
SCALE = 160
REGISTRY = [m.Device, m.SecuritySystem, m.SitePart, m.Site, m.Unit, m.Firm, m.Product]
NATURAL = {"unit": "credit_code", "firm": "credit_code", "site": "code", "system": "code", "product": "model",
           "part": "name", "investor": "credit_code", "builder": "credit_code", "operator": "credit_code"}


@pytest.fixture
def city(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return seed_city(scale=SCALE, seed=7, today=TODAY)


def dump() -> dict:
    """Every registry row as plain values, foreign keys by natural key, without ids or timestamps."""
    out = {}
    for model in REGISTRY:
        fields = []
        for f in model._meta.concrete_fields:
            if f.primary_key or f.name in ("created_at", "updated_at"):
                continue
            fields.append(f"{f.name}__{NATURAL[f.name]}" if f.is_relation and f.name in NATURAL else f.attname)
        out[model.__name__] = sorted(model.objects.values_list(*fields), key=repr)
    return out


def seeded(seed: int) -> tuple[dict, dict]:
    """The dump and manifest of a city seeded inside a savepoint that is then rolled back, so each
    call starts from the same empty database (users and audit rows that hooks make included)."""
    sid = transaction.savepoint_create()
    ctx = seed_city(scale=SCALE, seed=seed, today=TODAY)
    result = dump(), ctx.manifest.as_json()
    transaction.savepoint_rollback(sid)
    return result


@pytest.mark.django_db
def test_same_seed_gives_the_same_city_and_another_seed_another(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first, first_manifest = seeded(7)
    assert not m.Unit.objects.exists()
    again, again_manifest = seeded(7)
    assert again == first
    assert again_manifest == first_manifest
    other, _ = seeded(8)
    assert other["Unit"] != first["Unit"] and other["Device"] != first["Device"]


def test_city_covers_every_district_and_category(city):
    assert m.Site.objects.count() == SCALE
    per_district = dict(m.Site.objects.values_list("district_id").annotate(n=Count("id")))
    assert set(per_district) == set(DISTRICTS)
    assert set(m.Site.objects.exclude(art6_point=None).values_list("art6_point", flat=True)) == set(range(1, 11))
    assert m.Site.objects.filter(art6_point=None).exists()
    assert not m.Site.objects.filter(art6_point=10).filter(Q(designation_number="") | Q(designation_date=None)).exists()
    assert set(m.Unit.objects.values_list("kind", flat=True)) == set(m.UnitKind.values)
    assert {m.AreaKind.HOTEL_ROOM, m.AreaKind.FITTING_ROOM, m.AreaKind.PUBLIC_BATH} <= set(
        m.SitePart.objects.values_list("area_kind", flat=True))
    assert set(m.Device.objects.values_list("kind", flat=True)) >= {
        "camera", "nvr", "alarm_panel", "detector", "access_controller", "inspection"}
    assert m.Device.objects.count() > 5 * SCALE  # a plausible density of devices per site


def test_rows_are_valid_and_copies_match_the_services(city):
    for unit in m.Unit.objects.all():
        validate_credit_code(unit.credit_code)
        assert unit.address.startswith(f"昆明市{DISTRICTS[unit.district_id]}")
    for site in m.Site.objects.all()[:50]:
        site.full_clean()
    # registry.services copies site -> system and system -> device; the seed must agree.
    assert not m.SecuritySystem.objects.exclude(unit_id=F("site__unit_id"), district_id=F("site__district_id")).exists()
    assert not m.Device.objects.exclude(site_id=F("system__site_id"), unit_id=F("system__unit_id"),
                                        district_id=F("system__district_id")).exists()
    assert not m.Device.objects.exclude(part=None).exclude(part__site_id=F("site_id")).exists()
    assert not m.SecuritySystem.objects.filter(firm=None).exists()


def test_gb28181_ids_and_dc09_accounts(city):
    ids = list(m.Device.objects.exclude(gb28181_id=None).values_list("gb28181_id", "district_id", "kind"))
    assert ids
    for gb, district, kind in ids:
        assert len(gb) == 20 and gb.isdigit()
        assert gb[:6] == district  # centre code = division code + 2 digits
        assert gb[10:13] in ({"131", "132"} if kind == "camera" else {"118"})
    assert not m.Device.objects.filter(kind="alarm_panel", dc09_account="").exists()


def restated_rules() -> tuple[dict, dict]:
    """Each clause's rule, restated as ORM queries: (violations, undetermined) by natural key."""
    in_use = m.SystemStatus.IN_USE
    found, unknown = {}, {}
    for point in range(1, 11):
        sites = m.Site.objects.filter(art6_point=point).exclude(systems__status=in_use)
        found[f"art_6__para_1__point_{point}"] = set(sites.values_list("code", flat=True))
    found["art_7__para_1"] = set(m.Device.objects.filter(
        kind__in=m.AUDIO_VIDEO_KINDS, part__area_kind__in=m.PRIVATE_AREA_KINDS).values_list("serial", flat=True))
    running = m.SecuritySystem.objects.filter(status__in=[m.SystemStatus.ACCEPTED, in_use])
    found["art_13__para_1"] = set(running.filter(reserved_interface=False).values_list("code", flat=True))
    unknown["art_13__para_1"] = set(running.filter(reserved_interface=None).values_list("code", flat=True))
    found["art_14__para_2"] = set(m.SecuritySystem.objects.filter(status=in_use).exclude(
        acceptance_result=m.AcceptanceResult.PASSED).values_list("code", flat=True))
    found["art_15__para_2"] = set(m.Device.objects.filter(
        product__in_catalogue=False, product__meets_standard=False).values_list("serial", flat=True))
    unknown["art_15__para_2"] = set(m.Device.objects.filter(product=None).values_list("serial", flat=True))
    av = m.SecuritySystem.objects.filter(has_audio_video=True, status=in_use)
    found["art_19__para_1"] = set(av.filter(retention_days__lt=30).values_list("code", flat=True))
    unknown["art_19__para_1"] = set(av.filter(retention_days=None).values_list("code", flat=True))
    return found, unknown


def test_manifest_is_exactly_what_the_rules_find(city):
    found, unknown = restated_rules()
    # other apps' hooks plant their own clauses (works: art_14 para 1, art_16...); these are the registry's
    planted = {c: keys for c, keys in city.manifest.planted.items() if c in found}
    undetermined = {c: keys for c, keys in city.manifest.planted_undetermined.items() if c in found}
    assert {c: keys for c, keys in found.items() if keys} == planted
    assert {c: keys for c, keys in unknown.items() if keys} == undetermined
    # even a small city holds every kind of violation and of missing fact
    assert all(found.values()) and all(unknown.values())
    # and most of the city is compliant
    assert len(found["art_14__para_2"]) < 0.2 * m.SecuritySystem.objects.filter(status="in_use").count()


def test_removed_devices_are_never_planted(city):
    """The engine skips removed devices; planting only on others keeps both readings equal."""
    planted = city.manifest.planted["art_7__para_1"] | city.manifest.planted["art_15__para_2"]
    assert not m.Device.objects.filter(serial__in=planted, status=m.DeviceStatus.REMOVED).exists()
    assert m.Device.objects.filter(status=m.DeviceStatus.REMOVED).exists()


def test_manifest_file_and_the_seed_audit_row(city, settings):
    on_disk = json.loads((settings.VAR_DIR / "demo-manifest.json").read_text())
    assert {k: on_disk[k] for k in ("planted", "planted_undetermined", "planted_advice")} == city.manifest.as_json()
    assert (on_disk["scale"], on_disk["seed"], on_disk["today"]) == (SCALE, 7, TODAY.isoformat())
    # the registry is one bulk load recorded once (other apps' hooks may go through their services)
    entry = AuditEntry.objects.get(action="demo.seed")
    assert entry.after["counts"]["registry.Site"] == SCALE
    assert not AuditEntry.objects.filter(action__startswith="registry.").exists()
    assert audit.verify_chain() == (True, None)


def test_registry_hook_runs_first():
    hooks = demo_hooks()
    assert hooks[0] is registry_demo.seed
    assert all(h.__module__.startswith("jifang.") and h.__module__.endswith(".demo") for h in hooks)


def test_seed_command_refuses_a_non_empty_registry(city):
    with pytest.raises(CommandError):
        call_command("seed", scale=10)


@pytest.mark.django_db
def test_demo_if_empty_is_idempotent_and_accounts_are_scoped(settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    call_command("demo", if_empty=True, scale=120)
    counts = {model: model.objects.count() for model in REGISTRY}
    users = set(User.objects.values_list("username", "role"))
    call_command("demo", if_empty=True, scale=120)
    assert {model: model.objects.count() for model in REGISTRY} == counts
    assert set(User.objects.values_list("username", "role")) == users
    out = capsys.readouterr().out
    assert out.count("kunming-jifang-116") == 2  # the account table is printed both times
    assert {r for _, r in users} == set(Role.values)
    bank = User.objects.get(username="bank")
    assert visible(bank, m.Site).count() >= 3
    assert visible(User.objects.get(username="firm"), m.SecuritySystem).exists()
    wuhua = User.objects.get(username="wuhua")
    assert set(visible(wuhua, m.Device).values_list("district_id", flat=True)) == {"530102"}
    assert User.objects.get(username="city").check_password("kunming-jifang-116")
    # the demo city was scanned once, as a nightly scan would have: findings are there on first sign-in
    from jifang.regulation.models import Finding, ScanRun

    assert ScanRun.objects.filter(area="").count() == 1
    assert Finding.objects.filter(status="open").exclude(rule_id="manual").exists()
    # the tour's case of order 799 opened at once (no order first), served with its notice
    from jifang.enforcement.models import PenaltyCase

    at_once = visible(wuhua, PenaltyCase).get(inspection__isnull=False)
    assert at_once.order_id is None and at_once.status == "notified" and at_once.article == "art_28__para_1"
    with pytest.raises(CommandError):
        call_command("demo", scale=120)


@pytest.mark.django_db
def test_demo_gives_a_city_made_by_seed_its_accounts(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("seed", scale=60, seed=3)
    demo_names = ["admin", "city", "wuhua", "panlong", "zhujian", "bank", "firm"]
    assert not User.objects.filter(username__in=demo_names).exists()
    call_command("demo", if_empty=True)
    assert User.objects.filter(username__in=demo_names).count() == 7
    bank = User.objects.get(username="bank").units.get()
    assert bank.name.endswith("支行") and m.Site.objects.filter(unit=bank).count() == 4
