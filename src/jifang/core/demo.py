"""The demo city: `jifang seed` and `jifang demo` build a plausible, deterministic Kunming.

The registry seeds first (`jifang.registry.demo.seed(ctx)`), then every other installed Jifang app
that has a `demo` module with a `seed(ctx)` function, in INSTALLED_APPS order (works, enforcement...).
Each hook draws only from `ctx.rng`, so the same --seed gives the same data, writes with bulk_create
(no per-row service calls: the seed is one bulk load, recorded by a single audit row), and reports
every rule violation it plants in `ctx.manifest`, so the rule engine's tests can compare a scan with
exactly what was planted.
"""
from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
import random
from array import array
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import audit

DEFAULT_SCALE = 500
DEFAULT_SEED = 116  # the order's number


@dataclass
class Manifest:
    """What the seed planted: clause id -> natural keys of the subjects that violate it
    (`planted`) or whose facts are missing so a check cannot decide (`planted_undetermined`).
    Every other subject is compliant with these clauses."""

    planted: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    planted_undetermined: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # Subjects that get advice (a soft check, never a violation) on a clause.
    planted_advice: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def plant_advice(self, clause: str, key: str) -> None:
        self.planted_advice[clause].add(key)

    def plant(self, clause: str, key: str) -> None:
        self.planted[clause].add(key)

    def plant_undetermined(self, clause: str, key: str) -> None:
        self.planted_undetermined[clause].add(key)

    def as_json(self) -> dict:
        return {
            "planted": {c: sorted(keys) for c, keys in sorted(self.planted.items())},
            "planted_undetermined": {c: sorted(keys) for c, keys in sorted(self.planted_undetermined.items())},
            "planted_advice": {c: sorted(keys) for c, keys in sorted(self.planted_advice.items())},
        }


@dataclass
class SeedContext:
    """Handed to each app's `demo.seed(ctx)`.

    ids: model label -> the ids created, in creation order (compact int64 arrays: 1M devices fit).
    keys: named objects later hooks and the demo accounts need ("bank_unit", "demo_firm", ...).
    counts: model label -> rows created, for the summary and the audit row."""

    rng: random.Random
    scale: int
    seed: int
    today: dt.date
    manifest: Manifest = field(default_factory=Manifest)
    ids: dict[str, array] = field(default_factory=lambda: defaultdict(lambda: array("q")))
    keys: dict[str, object] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    progress: Callable[[str, int, int], None] = lambda label, done, total: None

    def created(self, objects) -> None:
        """Note bulk-created rows (their pks are set by bulk_create on SQLite and PostgreSQL)."""
        if not objects:
            return
        label = objects[0]._meta.label
        self.ids[label].extend(o.pk for o in objects)
        self.counts[label] += len(objects)


def manifest_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-manifest.json"


def demo_hooks() -> list[Callable[[SeedContext], None]]:
    """`seed(ctx)` of every installed Jifang app with a demo module; the registry's first."""
    names = [a.name for a in apps.get_app_configs() if a.name.startswith("jifang.") and a.name != "jifang.core"]
    names.sort(key=lambda n: n != "jifang.registry")  # stable: the rest keep INSTALLED_APPS order
    hooks = []
    for name in names:
        if importlib.util.find_spec(f"{name}.demo") is None:
            continue
        module = importlib.import_module(f"{name}.demo")
        if hasattr(module, "seed"):
            hooks.append(module.seed)
    return hooks


@transaction.atomic
def seed_city(*, scale: int = DEFAULT_SCALE, seed: int = DEFAULT_SEED, today: dt.date | None = None,
              progress=None) -> SeedContext:
    """Build the demo city in one transaction (all or nothing) and write its manifest."""
    ctx = SeedContext(rng=random.Random(seed), scale=scale, seed=seed, today=today or timezone.localdate())
    if progress is not None:
        ctx.progress = progress
    for hook in demo_hooks():
        hook(ctx)
    summary = {"scale": scale, "seed": seed, "today": ctx.today.isoformat(), "counts": dict(ctx.counts)}
    audit.record(actor=None, action="demo.seed", after=summary, note="demo city (jifang seed)")
    write_manifest(ctx)
    return ctx


def write_manifest(ctx: SeedContext) -> Path:
    path = manifest_path()
    payload = {"scale": ctx.scale, "seed": ctx.seed, "today": ctx.today.isoformat(), "counts": dict(ctx.counts),
               # natural keys of the named objects (the demo accounts' bank and firm)
               "keys": {k: v for k, v in ctx.keys.items() if isinstance(v, str)}, **ctx.manifest.as_json()}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1))
    return path
