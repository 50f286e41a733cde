"""The rule packs Jifang knows, read from the directories in settings.JIFANG_RULE_PACK_DIRS (default:
this directory). Each subdirectory with a pack.yaml is one pack; see docs/rule-packs.md.

This module is the engine's code, not part of any pack: the pack directories below it hold data only.
"""
import datetime as dt
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from ..loader import Clause, Pack, PackError, Rule, load_pack

__all__ = ["Clause", "Pack", "PackError", "Rule", "active_packs", "all_packs", "get_pack", "pack_dirs"]

BUILTIN_DIR = Path(__file__).resolve().parent


def pack_dirs() -> tuple[Path, ...]:
    return tuple(Path(d) for d in getattr(settings, "JIFANG_RULE_PACK_DIRS", None) or [BUILTIN_DIR])


@lru_cache(maxsize=8)
def _load(dirs: tuple[Path, ...]) -> dict[str, Pack]:
    packs: dict[str, Pack] = {}
    for base in dirs:
        for directory in sorted(p for p in base.iterdir() if (p / "pack.yaml").is_file()):
            pack = load_pack(directory)
            if pack.id in packs:
                raise PackError(f"{directory}: pack {pack.id!r} is already loaded from {packs[pack.id].directory}")
            packs[pack.id] = pack
    return packs


def reload() -> None:
    _load.cache_clear()


@receiver(setting_changed)
def _on_setting_changed(setting, **kwargs):
    if setting == "JIFANG_RULE_PACK_DIRS":
        reload()


def all_packs() -> list[Pack]:
    return list(_load(pack_dirs()).values())


def get_pack(pack_id: str) -> Pack:
    try:
        return _load(pack_dirs())[pack_id]
    except KeyError:
        raise PackError(f"no rule pack {pack_id!r}") from None


def active_packs(as_of: dt.date, district_code: str | None = None) -> list[Pack]:
    """Packs in force on `as_of` whose area meets `district_code` (None: anywhere)."""
    return [p for p in all_packs() if p.in_force(as_of) and p.covers(district_code)]
