"""Home-page figures. Every figure is an aggregate over `visible(user, ...)` (so each role counts only
what it may see) and a few GROUP BY queries cover the whole page, whatever the registry's size."""
from django.db.models import Count, Exists, OuterRef, Q

from jifang.core.divisions import DISTRICTS
from jifang.core.roles import CITY_WIDE, Role
from jifang.core.scoping import visible
from jifang.registry.filtersets import SystemFilterSet
from jifang.registry.models import AcceptanceResult, Device, DeviceStatus, SecuritySystem, Site, SystemStatus, Unit



def _has_system():
    return Exists(SecuritySystem.objects.filter(site_id=OuterRef("pk")))


def site_figures(user) -> dict:
    mandatory = Q(art6_point__isnull=False)
    return visible(user, Site).aggregate(
        total=Count("id"),
        mandatory=Count("id", filter=mandatory),
        mandatory_without_system=Count("id", filter=mandatory & ~Q(_has_system())),
    )


def system_figures(user) -> dict:
    """Counts by status, plus the systems in use without passed acceptance (art_14 para 2 facts)
    and those missing facts the rule engine needs."""
    rows = visible(user, SecuritySystem).order_by().values("status").annotate(
        n=Count("id"),
        unaccepted=Count("id", filter=~Q(acceptance_result=AcceptanceResult.PASSED)),
        facts_missing=Count("id", filter=SystemFilterSet.FACTS_MISSING),
    )
    by_status = {row["status"]: row for row in rows}
    return {
        "total": sum(r["n"] for r in by_status.values()),
        "by_status": [(label, value, by_status.get(value, {}).get("n", 0)) for value, label in SystemStatus.choices],
        "in_use_unaccepted": by_status.get(SystemStatus.IN_USE, {}).get("unaccepted", 0),
        "facts_missing": sum(r["facts_missing"] for r in by_status.values()),
    }


def device_figures(user) -> dict:
    rows = dict(visible(user, Device).order_by().values_list("status").annotate(n=Count("id")))
    return {
        "total": sum(rows.values()),
        "by_status": [(label, value, rows.get(value, 0)) for value, label in DeviceStatus.choices],
        "faulty": rows.get(DeviceStatus.FAULTY, 0),
        "offline": rows.get(DeviceStatus.OFFLINE, 0),
    }


def district_table(user) -> list[dict]:
    """One row per district for city-wide users: three GROUP BY queries, merged here (14 rows)."""
    sites = {r["district_id"]: r for r in visible(user, Site).order_by().values("district_id").annotate(
        sites=Count("id"), mandatory=Count("id", filter=Q(art6_point__isnull=False)),
        mandatory_without_system=Count("id", filter=Q(art6_point__isnull=False) & ~Q(_has_system())),
    )}
    systems = {r["district_id"]: r for r in visible(user, SecuritySystem).order_by().values("district_id").annotate(
        systems=Count("id"), in_use=Count("id", filter=Q(status=SystemStatus.IN_USE)),
    )}
    devices = dict(visible(user, Device).order_by().values_list("district_id").annotate(n=Count("id")))
    rows = []
    for code, name in DISTRICTS.items():
        s, y = sites.get(code, {}), systems.get(code, {})
        rows.append({
            "code": code, "name": name,
            "sites": s.get("sites", 0), "mandatory": s.get("mandatory", 0),
            "mandatory_without_system": s.get("mandatory_without_system", 0),
            "systems": y.get("systems", 0), "in_use": y.get("in_use", 0), "devices": devices.get(code, 0),
        })
    return rows


def is_city_wide(user) -> bool:
    return user.role == Role.ADMIN or (user.role in CITY_WIDE and user.is_city_level)


def home_figures(user) -> dict:
    """Everything the registry part of the home page shows, for any role."""
    figures = {
        "units": visible(user, Unit).count(),
        "sites": site_figures(user),
        "systems": system_figures(user),
        "devices": device_figures(user),
        "districts": district_table(user) if is_city_wide(user) else None,
    }
    figures["attention"] = [item for item in _attention(figures) if item["count"]]
    return figures


def _attention(figures) -> list[dict]:
    """What a person should look at first, each with the filtered list that shows the rows."""
    return [
        {"key": "mandatory_without_system", "count": figures["sites"]["mandatory_without_system"],
         "url": "registry:site_list", "query": "mandatory=true&has_system=false"},
        {"key": "in_use_unaccepted", "count": figures["systems"]["in_use_unaccepted"],
         "url": "registry:securitysystem_list", "query": "status=in_use&accepted=false"},
        {"key": "facts_missing", "count": figures["systems"]["facts_missing"],
         "url": "registry:securitysystem_list", "query": "facts_missing=true"},
        {"key": "devices_faulty", "count": figures["devices"]["faulty"],
         "url": "registry:device_list", "query": "status=faulty"},
        {"key": "devices_offline", "count": figures["devices"]["offline"],
         "url": "registry:device_list", "query": "status=offline"},
    ]
