"""docs/api.md names every API list and exactly the filters its FilterSet accepts (the same
FilterSet filters the web page), so the documentation cannot drift from the code."""
import re
from pathlib import Path

from django.urls import reverse

from .test_scope_generated import _walk

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def documented() -> dict[str, set[str]]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`/api/"):
            rows[cells[0].strip("`")] = set(re.findall(r"`([a-z0-9_]+)`", cells[2]))
    return rows


def api_filtersets() -> dict[str, set[str]]:
    from django.urls import get_resolver

    out = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        cls = getattr(pattern.callback, "cls", None)
        if cls is not None and name.endswith("-list"):
            filterset = getattr(cls, "filterset_class", None)
            out[reverse(name)] = set(filterset.base_filters) if filterset else set()
    return out


def test_every_api_list_is_documented_with_exactly_its_filters():
    docs, code = documented(), api_filtersets()
    assert set(code) - set(docs) == set(), "lists missing from docs/api.md"
    for path, filters in code.items():
        assert docs[path] == filters, (path, "documented only:", docs[path] - filters, "undocumented:",
                                       filters - docs[path])
