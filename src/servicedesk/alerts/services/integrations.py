"""Integrations: made, edited, their key rotated. The key is shown once and stored hashed."""

import hashlib
import secrets
import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Role, SupportGroup, User
from servicedesk.alerts.models import Integration, Severity
from servicedesk.alerts.sources.registry import SOURCES
from servicedesk.catalog.models import Service
from servicedesk.core.errors import ValidationFailed
from servicedesk.tickets.priority import Level

KEY_CACHE_PREFIX = "alerts:key:"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def key_new() -> str:
    """32 hex characters, as PagerDuty's integration keys are (some tools check the length)."""
    return secrets.token_hex(16)


def key_cache_forget(integration: Integration) -> None:
    """Drop intake's cached lookup of this key now and again at commit (a request between the
    two may have cached the row as it was)."""
    cache_key = KEY_CACHE_PREFIX + integration.key_hash
    cache.delete(cache_key)
    transaction.on_commit(lambda: cache.delete(cache_key))


def _errors(*, name, source, severity_map, correlation_labels, exclude_pk=None) -> dict:
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = _("A name is required.")
    elif Integration.objects.filter(name=name.strip()).exclude(pk=exclude_pk).exists():
        errors["name"] = _("Another integration has this name.")
    if source not in SOURCES:
        errors["source"] = _("Must be one of: %s.") % ", ".join(SOURCES)
    if severity_map is not None:
        errors |= severity_map_errors(severity_map)
    if correlation_labels is not None and (
        not isinstance(correlation_labels, list)
        or not all(isinstance(label, str) and label for label in correlation_labels)
    ):
        errors["correlation_labels"] = _("Must be a list of label names.")
    return errors


def severity_map_errors(severity_map) -> dict[str, str]:
    if not isinstance(severity_map, dict) or set(severity_map) != set(Severity.values):
        return {"severity_map": _("Must map each of: %s.") % ", ".join(Severity.values)}
    for severity, levels in severity_map.items():
        if (
            not isinstance(levels, dict)
            or set(levels) != {"impact", "urgency"}
            or not set(levels.values()) <= set(Level.values)
        ):
            return {
                "severity_map": _(
                    "%(severity)s must be {impact, urgency}, each high, medium or low."
                )
                % {"severity": severity}
            }
    return {}


@transaction.atomic
def integration_create(
    *,
    name: str,
    source: str,
    service: Service | None = None,
    assignment_group: SupportGroup | None = None,
    auto_resolve: bool = False,
    page_on_call: bool = False,
    severity_map: dict | None = None,
    correlation_labels: list | None = None,
    correlation_window: int = 30,
    rate_limit: int = 1200,
    flap_changes: int = 5,
    flap_window: int = 30,
    flap_hold: int = 30,
) -> tuple[Integration, str]:
    """Make an integration and its system account; returns it and its routing key (shown
    once: only the key's hash is kept)."""
    errors = _errors(
        name=name,
        source=source,
        severity_map=severity_map,
        correlation_labels=correlation_labels,
    )
    if service is not None and not service.is_active:
        errors["service"] = _("This service is no longer in use.")
    if assignment_group is not None and not assignment_group.is_active:
        errors["assignment_group"] = _("This group is not active.")
    if errors:
        raise ValidationFailed(errors)
    key = key_new()
    integration = Integration(
        name=name.strip(),
        source=source,
        service=service,
        assignment_group=assignment_group,
        auto_resolve=auto_resolve,
        page_on_call=page_on_call,
        correlation_labels=correlation_labels or [],
        correlation_window=correlation_window,
        rate_limit=rate_limit,
        flap_changes=flap_changes,
        flap_window=flap_window,
        flap_hold=flap_hold,
        key_hash=key_hash(key),
        key_hint=key[-4:],
        actor=_system_account(name.strip()),
    )
    if severity_map is not None:
        integration.severity_map = severity_map
    integration.save()
    return integration, key


def _system_account(name: str) -> User:
    """The account an integration logs its incidents under: desk staff (it picks the group),
    never emailed, and no password, so nobody signs in as it."""
    user = User(
        username=f"monitoring-{uuid.uuid4().hex[:12]}",
        first_name=name[:150],
        last_name=_("(monitoring)")[:150],
        role=Role.AGENT,
        email_notifications=False,
    )
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def integration_rotate_key(*, integration: Integration) -> str:
    """A new routing key; the old one stops working at once. Returns the new key (shown once)."""
    integration = Integration.objects.select_for_update().get(pk=integration.pk)
    key_cache_forget(integration)
    key = key_new()
    integration.key_hash = key_hash(key)
    integration.key_hint = key[-4:]
    integration.save(update_fields=["key_hash", "key_hint"])
    return key


@transaction.atomic
def integration_update(*, integration: Integration, **fields) -> Integration:
    """Change the settings of an integration (not its key: see integration_rotate_key)."""
    allowed = {
        "name",
        "service",
        "assignment_group",
        "auto_resolve",
        "page_on_call",
        "severity_map",
        "correlation_labels",
        "correlation_window",
        "rate_limit",
        "is_active",
        "flap_changes",
        "flap_window",
        "flap_hold",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed({name: _("Cannot be changed.") for name in sorted(unknown)})
    integration = Integration.objects.select_for_update().get(pk=integration.pk)
    errors = _errors(
        name=fields.get("name", integration.name),
        source=integration.source,
        severity_map=fields.get("severity_map"),
        correlation_labels=fields.get("correlation_labels"),
        exclude_pk=integration.pk,
    )
    if errors:
        raise ValidationFailed(errors)
    for name, value in fields.items():
        setattr(integration, name, value.strip() if name == "name" else value)
    integration.save()
    key_cache_forget(integration)
    return integration
