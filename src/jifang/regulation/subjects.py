"""Subject types the rules can name (`subject: system`). The app that owns a model registers it in
its AppConfig.ready(); a rule pack only refers to the name, so packs stay data.

Each path is an ORM lookup from the subject's row: `district="district_id"`, `site="site_id"`...
None means the subject has no such link (a unit has no site), and a one-site scan then skips it.
"""
from dataclasses import dataclass

from django.db.models import Model


@dataclass(frozen=True)
class Subject:
    name: str
    model: type[Model]
    key: str                    # the natural key shown to people: site code, system code, serial
    district: str
    unit: str | None = None
    site: str | None = None
    firm: str | None = None
    unit_kind: str | None = None  # path to the owning unit's kind (art_24 ranges depend on it)

    def paths(self) -> dict[str, str]:
        """The columns every finding needs, by the names the engine uses."""
        out = {"subject_id": "pk", "subject_key": self.key, "district_id": self.district}
        for name in ("unit", "site", "firm"):
            path = getattr(self, name)
            if path:
                out[f"{name}_id"] = path
        if self.unit_kind:
            out["unit_kind"] = self.unit_kind
        return out


_REGISTRY: dict[str, Subject] = {}


def _kind_path(unit: str | None) -> str | None:
    if not unit:
        return None
    if unit in ("id", "pk"):
        return "kind"
    return unit.removesuffix("_id") + "__kind"


def register(name: str, *, model: type[Model], key: str, district: str, unit: str | None = None,
             site: str | None = None, firm: str | None = None, unit_kind: str | None = None) -> Subject:
    """Make `name` usable as a rule subject. Registering the same name twice with another model is
    a programming error (two apps fighting over a name)."""
    subject = Subject(name, model, key, district, unit, site, firm, unit_kind or _kind_path(unit))
    existing = _REGISTRY.get(name)
    if existing is not None and existing.model is not model:
        raise ValueError(f"subject {name!r} is already registered for {existing.model.__name__}")
    _REGISTRY[name] = subject
    return subject


# Records that point at a subject without a reverse relation (a register entry's site is
# related_name="+"): name -> (record model, its column, the subject's column it matches). A rule may
# use them in `exclude` only, as "has no such record" (one NOT EXISTS per relation, see the engine).
_RECORDS: dict[tuple[type[Model], str], tuple[type[Model], str, str]] = {}


def register_records(model: type[Model], name: str, *, records: type[Model], via: str, on: str = "pk") -> None:
    """Let rules over `model` say `exclude: {<name>__<lookup>: ...}` about `records` whose `via`
    column holds the subject's `on` column: its pk (a site's training records: via="site_id"), or
    a column the two share (a register entry's site and the site's watch roster: via="site_id",
    on="site_id"). The lookups may compare with the subject's own row: `{subject_field: NAME}`."""
    _RECORDS[(model, name)] = (records, via, on)


def records_of(model: type[Model], name: str) -> tuple[type[Model], str, str] | None:
    return _RECORDS.get((model, name))


def get(name: str) -> Subject | None:
    return _REGISTRY.get(name)


def all_subjects() -> dict[str, Subject]:
    return dict(_REGISTRY)


def register_registry_subjects() -> None:
    """The registry's nouns. Called from RegulationConfig.ready (the registry app is another
    engineer's; the regulation app is the one that needs the names)."""
    from jifang.registry import models as m

    register("unit", model=m.Unit, key="credit_code", district="district_id", unit="id")
    register("site", model=m.Site, key="code", district="district_id", unit="unit_id", site="id")
    register("system", model=m.SecuritySystem, key="code", district="district_id", unit="unit_id",
             site="site_id", firm="firm_id")
    register("device", model=m.Device, key="serial", district="district_id", unit="unit_id", site="site_id",
             firm="system__firm_id")
