"""Panels other apps add to the console's ticket page, without tickets naming them.

An app registers a template and a context function in its `AppConfig.ready()`:
`panel_register("statuspage/desk/ticket_panel.html", panel_context)`. For each ticket page,
`panels_for(ticket, user)` calls every context function; those that return a dict (not None)
are rendered, in the order registered, with that dict as `panel`.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template_name: str
    context_fn: Callable


@dataclass(frozen=True)
class RenderedPanel:
    template_name: str
    context: dict


_panels: list[Panel] = []


def panel_register(template_name: str, context_fn: Callable) -> None:
    """Add a panel (registering the same template again replaces it)."""
    _panels[:] = [p for p in _panels if p.template_name != template_name]
    _panels.append(Panel(template_name, context_fn))


def panels_for(ticket, user) -> list[RenderedPanel]:
    rendered = []
    for panel in _panels:
        context = panel.context_fn(ticket, user)
        if context is not None:
            rendered.append(RenderedPanel(panel.template_name, context))
    return rendered


# The same for the portal's ticket page (the requester's view): a box above the history.
_portal_panels: list[Panel] = []


def portal_panel_register(template_name: str, context_fn: Callable) -> None:
    """Add a panel to the portal's ticket page (registering the same template replaces it)."""
    _portal_panels[:] = [p for p in _portal_panels if p.template_name != template_name]
    _portal_panels.append(Panel(template_name, context_fn))


def portal_panels_for(ticket, user) -> list[RenderedPanel]:
    rendered = []
    for panel in _portal_panels:
        context = panel.context_fn(ticket, user)
        if context is not None:
            rendered.append(RenderedPanel(panel.template_name, context))
    return rendered
