"""Panels that apps above this one add to an order's page, at head office and in the portal (the logistics app's
shipments), and the figures they add to the order API's detail (its freight). The orders app owns the pages and the
API and never imports those apps: they register their panels and figures when they are ready, as apps add sections
to the dealer page (``dealers.sections``)."""

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


@dataclass(frozen=True)
class Figures:
    """What an app above adds to the order API's detail under ``key``: ``data(user=..., order=...)``, or None when
    the user has nothing to read there, shaped (and described in the schema) by the DRF ``serializer`` class."""

    key: str
    serializer: type
    data: Callable[..., object | None]


_figures: dict[str, Figures] = {}


def register_figures(figures: Figures) -> None:
    _figures[figures.key] = figures


def figures() -> list[Figures]:
    return sorted(_figures.values(), key=lambda f: f.key)
