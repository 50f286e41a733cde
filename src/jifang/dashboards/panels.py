"""Home-page panels other apps contribute (findings, works, enforcement...).

An app registers a panel in its AppConfig.ready():

    from jifang.dashboards.panels import HomePanel, register
    register(HomePanel(key="findings", template="regulation/_home_panel.html",
                       context=open_findings_figures, order=20))

`context(user)` returns the panel template's context; it must read through `core.scoping.visible`
and be cheap (aggregates, no per-row loops): it runs on every home-page view. Return None to
leave the panel out for that user (e.g. a role it says nothing to).
"""
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    context: Callable[[object], dict | None]
    order: int = 100


_PANELS: dict[str, HomePanel] = {}


def register(panel: HomePanel) -> HomePanel:
    """Register (or replace, by key: ready() may run twice in tests) a home panel."""
    _PANELS[panel.key] = panel
    return panel


def unregister(key: str) -> None:
    _PANELS.pop(key, None)


def panels_for(user) -> list[dict]:
    """[{panel, context}] in display order, for the panels that have something for `user`."""
    out = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        ctx = panel.context(user)
        if ctx is not None:
            out.append({"panel": panel, "template": panel.template, "context": ctx})
    return out
