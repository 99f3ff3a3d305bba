"""Panels that apps above this one add to an order's page, at head office and in the portal (the logistics app's
shipments). The orders app owns the pages and never imports those apps: they register their panels when they are
ready, as apps add sections to the dealer page (``dealers.sections``)."""

from collections.abc import Callable
from dataclasses import dataclass

HQ = "hq"
PORTAL = "portal"


@dataclass(frozen=True)
class Panel:
    key: str
    audience: str  # HQ or PORTAL
    template: str
    # ``context(user=..., order=...)``: what the template reads, or None when the panel has nothing to show.
    context: Callable[..., dict | None]
    order: int = 100


_registry: dict[tuple[str, str], Panel] = {}


def register(panel: Panel) -> None:
    _registry[(panel.audience, panel.key)] = panel


@dataclass(frozen=True)
class Shown:
    template: str
    context: dict


def panels(*, user, order, audience: str) -> list[Shown]:
    """The panels of ``audience`` that have something to show on ``order``'s page, in their order."""
    shown = []
    for panel in sorted(_registry.values(), key=lambda p: (p.order, p.key)):
        if panel.audience != audience:
            continue
        context = panel.context(user=user, order=order)
        if context is not None:
            shown.append(Shown(template=panel.template, context=context))
    return shown
