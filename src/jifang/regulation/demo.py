"""Demo city: order 799 (国务院令第799号) beside the Kunming order. Runs right after the registry's hook
(INSTALLED_APPS order) and plants, in the manifest under pack-qualified ids (`cn-order-2025-799#art_17__para_1`,
since both laws number an art_7 and an art_13):

- the overlaps: every camera the registry planted in a Kunming art_7 private room is also in an art. 8
  para. 1 room of the national law (one finding per pack), and every system it planted with a short or
  unknown retention (Kunming art_19) also breaks art. 17, except a few reclassified as art. 9 systems
  (other public places, exempt from art. 17 by art. 9 para. 2: the Kunming finding alone);
- what only the national law finds: cameras in 民宿 guest rooms (not in the Kunming list), cameras
  recorded without a conspicuous sign (art. 13), systems near a secret-holding unit without its consent
  or with a consent given after going live (art. 10).

It draws from its own random stream (seeded from the city's seed), so the hooks after it draw exactly
what they drew before it existed.
"""
import datetime as dt
import random

from jifang.registry.models import (
    AreaKind, Device, DeviceKind, DeviceStatus, PublicVideoClass, SecuritySystem, Site, SitePart, SystemStatus,
)

NATIONAL = "cn-order-2025-799"
# art. 8 para. 1: the item each prohibited area kind falls under
ART8_ITEM = {
    AreaKind.HOTEL_ROOM: 1, AreaKind.GUESTHOUSE_ROOM: 1, AreaKind.RESTAURANT_ROOM: 1, AreaKind.HOSTEL_ROOM: 1,
    AreaKind.STUDENT_DORMITORY: 2, AreaKind.STAFF_REST_ROOM: 2,
    AreaKind.PUBLIC_BATH: 3, AreaKind.PUBLIC_TOILET: 3, AreaKind.CHANGING_ROOM: 3, AreaKind.NURSING_ROOM: 3,
    AreaKind.FITTING_ROOM: 3, AreaKind.OTHER_PRIVATE: 4,
}
SHARES = {"exempt_art9": 0.25, "guesthouse": 0.3, "no_sign": 0.02, "secret_neighbour": 0.01}


def national(clause_id: str) -> str:
    return f"{NATIONAL}#{clause_id}"


class Planter:
    def __init__(self, ctx):
        self.ctx, self.manifest = ctx, ctx.manifest
        self.rng = random.Random(f"order-799-{ctx.seed}")

    def some(self, items: list, share: str) -> list:
        """The first item always (even a small city holds each kind), then a share of the rest."""
        return items[:1] + [x for x in items[1:] if self.rng.random() < SHARES[share]]

    def run(self) -> None:
        # Roads and squares are built by the government (art. 7 para. 1); the rest stay unclassified,
        # which holds them to every duty of an art. 7 system until the police classify them.
        SecuritySystem.objects.filter(is_public_area=True).update(public_video_class=PublicVideoClass.GOVERNMENT)
        exempt = self.exempt_art9()
        self.mirror(exempt)
        self.guesthouse_rooms()
        self.signs()
        self.secret_neighbours()

    def exempt_art9(self) -> set[str]:
        short = sorted(self.manifest.planted.get("art_19__para_1", ()))
        exempt = set(self.some(short[1:], "exempt_art9")) if len(short) > 1 else set()
        SecuritySystem.objects.filter(code__in=exempt).update(public_video_class=PublicVideoClass.OTHER_PUBLIC)
        return exempt

    def mirror(self, exempt: set[str]) -> None:
        spied = self.manifest.planted.get("art_7__para_1", ())
        for serial, kind in Device.objects.filter(serial__in=spied).values_list("serial", "part__area_kind"):
            self.manifest.plant(national(f"art_8__para_1__point_{ART8_ITEM[kind]}"), serial)
        for code in set(self.manifest.planted.get("art_19__para_1", ())) - exempt:
            self.manifest.plant(national("art_17__para_1"), code)
        for code in self.manifest.planted_undetermined.get("art_19__para_1", ()):
            self.manifest.plant_undetermined(national("art_17__para_1"), code)

    def guesthouse_rooms(self) -> None:
        """A camera in a 民宿 guest room: forbidden by the national law alone."""
        cameras = {}
        rows = (Device.objects.filter(kind=DeviceKind.CAMERA, status=DeviceStatus.ACTIVE, product__in_catalogue=True,
                                      system__status=SystemStatus.IN_USE, site__parts__area_kind=AreaKind.HOTEL_ROOM)
                .order_by("site_id", "pk").values_list("site_id", "system_id", "unit_id", "district_id", "product_id"))
        for row in rows[:5000]:
            cameras.setdefault(row[0], row)
        chosen = self.some(sorted(cameras), "guesthouse")
        parts = SitePart.objects.bulk_create([SitePart(site_id=s, name="民宿客房", area_kind=AreaKind.GUESTHOUSE_ROOM)
                                              for s in chosen])
        self.ctx.created(parts)
        devices = []
        for n, part in enumerate(parts, 1):
            site, system, unit, district, product = cameras[part.site_id]
            devices.append(Device(serial=f"MS799{n:07d}", name="民宿客房摄像机", system_id=system, site_id=site,
                                  unit_id=unit, district_id=district, kind=DeviceKind.CAMERA, product_id=product,
                                  part_id=part.pk, status=DeviceStatus.ACTIVE,
                                  installed_on=self.ctx.today - dt.timedelta(days=40)))
            self.manifest.plant(national("art_8__para_1__point_1"), devices[-1].serial)
        self.ctx.created(Device.objects.bulk_create(devices))

    def signs(self) -> None:
        """Cameras recorded as having no conspicuous sign (art. 13); the others are signed or unknown."""
        rows = list(Device.objects.filter(kind=DeviceKind.CAMERA, status=DeviceStatus.ACTIVE,
                                          system__status=SystemStatus.IN_USE).order_by("pk")
                    .values_list("pk", "serial")[:20000])
        unsigned = self.some(rows, "no_sign")
        Device.objects.filter(pk__in=[pk for pk, _ in unsigned]).update(signage=False)
        Device.objects.filter(pk__in=[pk for pk, _ in rows[-len(rows) // 2:]]).exclude(
            pk__in=[pk for pk, _ in unsigned]).update(signage=True)
        for _, serial in unsigned:
            self.manifest.plant(national("art_13__para_1"), serial)

    def secret_neighbours(self) -> None:
        """Sites the police marked as near a secret-holding unit (art. 10): consent missing, given after
        going live, or given in time, in turn."""
        live = SecuritySystem.objects.filter(status=SystemStatus.IN_USE, has_audio_video=True,
                                             in_use_since__isnull=False)
        sites = sorted(set(live.values_list("site_id", flat=True).order_by("site_id")[:20000]))
        for i, site in enumerate(self.some(sites, "secret_neighbour")):
            systems = list(live.filter(site_id=site).values_list("code", "in_use_since"))
            earliest = min(since for _, since in systems)
            variant = ("missing", "late", "in_time")[i % 3]
            consent = {"missing": None, "late": self.ctx.today - dt.timedelta(days=1),
                       "in_time": earliest - dt.timedelta(days=30)}[variant]
            Site.objects.filter(pk=site).update(near_secret_unit=True, secret_unit_consent_on=consent,
                                                secret_unit_consent_ref="" if consent is None else f"涉密同意〔{i + 1}〕号")
            planted = [code for code, since in systems if variant == "missing" or (variant == "late" and since < consent)]
            for code in planted:
                self.manifest.plant(national("art_10__para_1"), code)


def seed(ctx) -> None:
    Planter(ctx).run()
