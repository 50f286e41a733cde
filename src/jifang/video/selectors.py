"""Reads beyond plain `visible()`: online rates per area, a device's timeline, its live status."""
from __future__ import annotations

from django.db.models import Count, Q

from jifang.core.scoping import visible
from jifang.registry.models import SecuritySystem

from .models import Endpoint, RetentionProof, Transition

GROUPS = {"district": ("district_id", "district__name"), "unit": ("unit_id", "unit__name")}


def online_rates(user, by: str = "district", limit: int = 500) -> list[dict]:
    """Per district or unit: endpoints, online, offline and the online rate (%), in one query."""
    key, name = GROUPS.get(by, GROUPS["district"])
    rows = (visible(user, Endpoint).values(key, name)
            .annotate(total=Count("pk"), online_count=Count("pk", filter=Q(online=True)))
            .order_by(key)[:limit])
    out = []
    for row in rows:
        out.append({"key": row[key], "name": row[name], "total": row["total"], "online": row["online_count"],
                    "offline": row["total"] - row["online_count"],
                    "rate": round(100.0 * row["online_count"] / row["total"], 1) if row["total"] else None})
    return out


def city_rate(user) -> dict:
    totals = visible(user, Endpoint).aggregate(total=Count("pk"), online_count=Count("pk", filter=Q(online=True)))
    total, online = totals["total"], totals["online_count"]
    return {"total": total, "online": online, "offline": total - online,
            "rate": round(100.0 * online / total, 1) if total else None}


def retention_by_system(user, after: int | None = None, size: int = 50):
    """Audio-video systems in use with their declared retention and what the devices proved."""
    qs = (visible(user, SecuritySystem).filter(has_audio_video=True, status="in_use")
          .select_related("video_retention", "video_retention__proof", "unit").order_by("pk"))
    if after:
        qs = qs.filter(pk__gt=after)
    return list(qs[:size])


def timeline(user, endpoint: Endpoint, limit: int = 200) -> list[dict]:
    """Registrations and offline spells (transitions) and retention proofs, newest first. The gap
    between an offline transition and the next online one is the keepalive gap shown."""
    events = []
    transitions = list(visible(user, Transition).filter(endpoint=endpoint).order_by("-at", "-id")[:limit])
    for index, t in enumerate(transitions):
        back = transitions[index - 1] if index and not t.online and transitions[index - 1].online else None
        events.append({"at": t.at, "kind": "transition", "obj": t,
                       "gap": (back.at - t.at) if back else None})
    proofs = visible(user, RetentionProof).filter(channel__endpoint=endpoint).select_related("device")
    events += [{"at": p.asked_at, "kind": "proof", "obj": p} for p in proofs.order_by("-asked_at")[:limit]]
    return sorted(events, key=lambda e: e["at"], reverse=True)[:limit]


def live_status(user, device) -> dict | None:
    """The device's GB/T 28181 state for its registry page: as an endpoint, or as a channel."""
    endpoint = visible(user, Endpoint).filter(device=device).first()
    channel = None
    if endpoint is None:
        from .models import Channel

        channel = visible(user, Channel).filter(device=device).select_related("endpoint").first()
        endpoint = channel.endpoint if channel else None
    if endpoint is None:
        return None
    proof = visible(user, RetentionProof).filter(device=device).order_by("-asked_at").first()
    return {"endpoint": endpoint, "channel": channel, "proof": proof}
