"""Every write of the status page: component statuses, public incidents and their updates,
maintenance, subscriptions. Each runs in one transaction, checks its input before writing and
tells subscribers through one `notify()` call per notice."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.accounts.permissions import is_staff_member
from servicedesk.core.errors import NotPermitted, TransitionNotAllowed, ValidationFailed
from servicedesk.core.fields import id_from_text
from servicedesk.notifications.services import Recipient, notify
from servicedesk.statuspage.cache import page_changed
from servicedesk.statuspage.models import (
    Component,
    ComponentStatusChange,
    IncidentUpdate,
    Maintenance,
    PublicIncident,
    Subscriber,
)
from servicedesk.statuspage.states import (
    SEVERITY,
    ComponentStatus,
    IncidentStatus,
    impact_for,
    incident_next_status,
)

TITLE_MAX = 200
BODY_MAX = 5000
NOTE_MAX = 500
#: a confirmation link works this long; an unconfirmed subscription is then deleted
CONFIRM_DAYS = 7
#: at most one confirmation mail per address in this time, so the form cannot mail-bomb anyone
CONFIRM_RESEND = timedelta(hours=24)
CONFIRM_SALT = "statuspage.subscriber.confirm"
UNSUBSCRIBE_SALT = "statuspage.subscriber.unsubscribe"


def _require_staff(actor: User) -> None:
    if not is_staff_member(actor):
        raise NotPermitted(_("Only desk staff may change the status page."))


def _text(errors: dict, field: str, value: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > limit:
        errors[field] = _("At most %(n)d characters.") % {"n": limit}
    elif "\x00" in value:
        errors[field] = _("Remove the NUL character.")
    return value


def _status(errors: dict, field: str, value: str, choices) -> str:
    if value not in choices.values:
        errors[field] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}
    return value


# ---------------------------------------------------------------------------------------------
# Components


@transaction.atomic
def component_status_set(
    *,
    component: Component,
    actor: User | None,
    status: str,
    note: str = "",
    incident: PublicIncident | None = None,
    at=None,
) -> Component:
    """Publish `status` for `component`, recording the change (its history drives the bars)."""
    if actor is not None:
        _require_staff(actor)
    errors: dict = {}
    _status(errors, "status", status, ComponentStatus)
    note = _text(errors, "note", note, NOTE_MAX, required=False)
    if errors:
        raise ValidationFailed(errors)
    component = Component.objects.select_for_update().get(pk=component.pk)
    if component.status == status:
        return component
    at = at or timezone.now()
    ComponentStatusChange.objects.create(
        component=component,
        status=status,
        previous=component.status,
        note=note,
        actor=actor,
        incident=incident,
        at=at,
    )
    component.status = status
    component.updated_at = at
    component.save(update_fields=["status", "updated_at"])
    page_changed()
    return component


def _components_get(errors: dict, ids) -> list[Component]:
    try:
        wanted = {int(i) for i in ids}
    except (TypeError, ValueError):
        errors["components"] = _("Give component ids (whole numbers).")
        return []
    found = list(Component.objects.filter(pk__in=wanted))
    if len(found) != len(wanted):
        missing = sorted(wanted - {c.pk for c in found})
        errors["components"] = _("No component with id %(ids)s.") % {
            "ids": ", ".join(map(str, missing))
        }
    return found


# ---------------------------------------------------------------------------------------------
# Public incidents


@transaction.atomic
def incident_publish(
    *,
    actor: User,
    title: str,
    message: str,
    components=(),
    component_status: str = ComponentStatus.PARTIAL,
    status: str = IncidentStatus.INVESTIGATING,
    ticket=None,
) -> PublicIncident:
    """Make an incident public: its title, first update, affected components and their status.

    `ticket` is the internal incident it is about (never shown). One open public incident per
    ticket: publishing twice is refused."""
    _require_staff(actor)
    errors: dict = {}
    title = _text(errors, "title", title, TITLE_MAX)
    message = _text(errors, "message", message, BODY_MAX)
    _status(errors, "status", status, IncidentStatus)
    if status == IncidentStatus.RESOLVED:
        errors["status"] = _("A new incident cannot start resolved.")
    if component_status:
        _status(errors, "component_status", component_status, ComponentStatus)
    found = _components_get(errors, [c.pk if isinstance(c, Component) else c for c in components])
    if (
        ticket is not None
        and ticket.public_incidents.exclude(status=IncidentStatus.RESOLVED).exists()
    ):
        errors["ticket"] = _("This ticket already has an open public incident.")
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    incident = PublicIncident.objects.create(
        title=title,
        status=status,
        impact=impact_for(component_status) if found else "none",
        ticket=ticket,
        created_by=actor,
        created_at=now,
        updated_at=now,
        monitoring_at=now if status == IncidentStatus.MONITORING else None,
    )
    incident.components.set(found)
    for component in found:
        if component_status:
            component_status_set(
                component=component,
                actor=actor,
                status=component_status,
                note=_("Public incident #%(id)s") % {"id": incident.pk},
                incident=incident,
                at=now,
            )
    update = IncidentUpdate.objects.create(
        incident=incident, status=status, body=message, author=actor, created_at=now
    )
    _update_notify(incident, update, fresh=True)
    page_changed()
    return incident


@transaction.atomic
def incident_update_post(
    *,
    incident: PublicIncident,
    actor: User,
    status: str,
    message: str,
    component_status: str = "",
) -> IncidentUpdate:
    """Post the next public update of `incident` at `status` (resolved closes it and puts its
    components back to operational unless another open incident still holds them)."""
    _require_staff(actor)
    incident = PublicIncident.objects.select_for_update().get(pk=incident.pk)
    errors: dict = {}
    message = _text(errors, "message", message, BODY_MAX)
    _status(errors, "status", status, IncidentStatus)
    if component_status:
        _status(errors, "component_status", component_status, ComponentStatus)
    if errors:
        raise ValidationFailed(errors)
    if not incident_next_status(incident.status, status):
        raise TransitionNotAllowed(
            {"status": _("A resolved incident takes no more updates.")}
            if incident.is_resolved
            else {"status": _("Not a next status of this incident.")}
        )
    now = timezone.now()
    components = list(incident.components.all())
    if status == IncidentStatus.RESOLVED:
        still_held = set(
            PublicIncident.components.through.objects.filter(
                component__in=components,
                publicincident__status__in=[
                    IncidentStatus.INVESTIGATING,
                    IncidentStatus.IDENTIFIED,
                    IncidentStatus.MONITORING,
                ],
            )
            .exclude(publicincident=incident)
            .values_list("component_id", flat=True)
        )
        for component in components:
            if component.pk not in still_held:
                component_status_set(
                    component=component,
                    actor=actor,
                    status=ComponentStatus.OPERATIONAL,
                    note=_("Public incident #%(id)s resolved") % {"id": incident.pk},
                    incident=incident,
                    at=now,
                )
        incident.resolved_at = now
    elif component_status:
        for component in components:
            component_status_set(
                component=component,
                actor=actor,
                status=component_status,
                note=_("Public incident #%(id)s") % {"id": incident.pk},
                incident=incident,
                at=now,
            )
        if SEVERITY[component_status] > 1:
            incident.impact = impact_for(component_status)
    if status == IncidentStatus.MONITORING and incident.monitoring_at is None:
        incident.monitoring_at = now
    incident.status = status
    incident.updated_at = now
    incident.save(update_fields=["status", "impact", "monitoring_at", "resolved_at", "updated_at"])
    update = IncidentUpdate.objects.create(
        incident=incident, status=status, body=message, author=actor, created_at=now
    )
    _update_notify(incident, update, fresh=True)
    page_changed()
    return update


@transaction.atomic
def incident_edit(
    *, incident: PublicIncident, actor: User, title: str | None = None, components=None
) -> PublicIncident:
    """Correct an incident's public title or the components it names (no notice is sent)."""
    _require_staff(actor)
    errors: dict = {}
    incident = PublicIncident.objects.select_for_update().get(pk=incident.pk)
    if title is not None:
        incident.title = _text(errors, "title", title, TITLE_MAX)
    found = _components_get(errors, components) if components is not None else None
    if errors:
        raise ValidationFailed(errors)
    incident.updated_at = timezone.now()
    incident.save(update_fields=["title", "updated_at"])
    if found is not None:
        incident.components.set(found)
    page_changed()
    return incident


# ---------------------------------------------------------------------------------------------
# Maintenance


@transaction.atomic
def maintenance_schedule(
    *, actor: User, title: str, message: str, components, starts_at, ends_at
) -> Maintenance:
    """Announce planned work; confirmed subscribers of its components are told at once."""
    _require_staff(actor)
    errors: dict = {}
    title = _text(errors, "title", title, TITLE_MAX)
    message = _text(errors, "message", message, BODY_MAX)
    found = _components_get(errors, [c.pk if isinstance(c, Component) else c for c in components])
    if not found and "components" not in errors:
        errors["components"] = _("Choose at least one component.")
    if starts_at is None:
        errors["starts_at"] = _("This field is required.")
    if ends_at is None:
        errors["ends_at"] = _("This field is required.")
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("The end must come after the start.")
    elif ends_at <= timezone.now():
        errors["ends_at"] = _("The end is in the past.")
    if errors:
        raise ValidationFailed(errors)
    maintenance = Maintenance.objects.create(
        title=title, message=message, starts_at=starts_at, ends_at=ends_at, created_by=actor
    )
    maintenance.components.set(found)
    notify(
        "statuspage.maintenance",
        maintenance,
        _subscriber_recipients(found),
        {"maintenance": maintenance, "components": found},
        f"statuspage.maintenance.{maintenance.pk}",
        fresh=True,
    )
    page_changed()
    return maintenance


@transaction.atomic
def maintenance_cancel(*, maintenance: Maintenance, actor: User) -> Maintenance:
    _require_staff(actor)
    maintenance = Maintenance.objects.select_for_update().get(pk=maintenance.pk)
    if maintenance.cancelled_at or maintenance.ends_at <= timezone.now():
        raise TransitionNotAllowed(_("This maintenance is already over or cancelled."))
    maintenance.cancelled_at = maintenance.updated_at = timezone.now()
    maintenance.save(update_fields=["cancelled_at", "updated_at"])
    page_changed()
    return maintenance


# ---------------------------------------------------------------------------------------------
# Subscribers


def unsubscribe_url(subscriber: Subscriber) -> str:
    """The same link in every notice to this subscriber (signed, no expiry)."""
    token = signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscriber.pk))
    return settings.SITE_URL + reverse("status-unsubscribe", args=[token])


def confirm_url(subscriber: Subscriber) -> str:
    token = signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(subscriber.pk))
    return settings.SITE_URL + reverse("status-confirm", args=[token])


def _recipient(subscriber: Subscriber, **values: str) -> Recipient:
    url = unsubscribe_url(subscriber)
    return Recipient(
        "email",
        subscriber.email,
        subscriber.language,
        values=(("unsubscribe_url", url), *values.items()),
        headers=(
            ("List-Unsubscribe", f"<{url}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ),
    )


def _subscriber_recipients(components: list[Component]) -> list[Recipient]:
    """Confirmed subscribers of all components or of one of `components`."""
    active = Subscriber.objects.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)
    from_all = active.filter(all_components=True)
    some = active.filter(all_components=False, components__in=components)
    chosen = from_all.union(some) if components else from_all
    return [_recipient(s) for s in chosen.order_by("id")]


def _update_notify(incident: PublicIncident, update: IncidentUpdate, *, fresh: bool) -> None:
    components = list(incident.components.all())
    notify(
        "statuspage.incident_update",
        incident,
        _subscriber_recipients(components),
        {"incident": incident, "update": update, "components": components},
        f"statuspage.update.{update.pk}",
        fresh=fresh,
    )


@transaction.atomic
def subscriber_subscribe(*, email: str, language: str, components=()) -> Subscriber:
    """Ask for notices at `email` (all components, or those named): sends one confirmation mail.

    An address already confirmed, or sent a confirmation within the last day, is sent nothing
    new, and the answer is the same, so the form tells no one who subscribes and cannot be used
    to flood someone's inbox."""
    errors: dict = {}
    email = (email or "").strip()
    try:
        validate_email(email)
    except DjangoValidationError:
        errors["email"] = _("Enter a valid email address.")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    found = _components_get(errors, components) if components else []
    if found and any(not c.is_public for c in found):
        errors["components"] = _("No component with id %(ids)s.") % {
            "ids": ", ".join(str(c.pk) for c in found if not c.is_public)
        }
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    subscriber, created = Subscriber.objects.select_for_update().get_or_create(
        email__iexact=email, defaults={"email": email, "language": language}
    )
    if subscriber.is_active:
        return subscriber
    if subscriber.confirm_sent_at and now - subscriber.confirm_sent_at < CONFIRM_RESEND:
        return subscriber
    subscriber.language = language
    subscriber.all_components = not found
    subscriber.unsubscribed_at = None
    subscriber.confirmed_at = None
    subscriber.confirm_sent_at = now
    subscriber.save()
    subscriber.components.set(found)
    notify(
        "statuspage.confirm",
        subscriber,
        [_recipient(subscriber, confirm_url=confirm_url(subscriber))],
        {"components": found, "confirm_days": CONFIRM_DAYS},
        f"statuspage.confirm.{subscriber.pk}.{int(now.timestamp())}",
    )
    return subscriber


def _subscriber_from(signer: signing.Signer, token: str, **unsign) -> Subscriber | None:
    try:
        pk = id_from_text(signer.unsign(token, **unsign))
    except signing.BadSignature:
        return None
    return Subscriber.objects.filter(pk=pk).first() if pk else None


def subscriber_for_confirm(token: str) -> Subscriber | None:
    signer = signing.TimestampSigner(salt=CONFIRM_SALT)
    return _subscriber_from(signer, token, max_age=timedelta(days=CONFIRM_DAYS))


def subscriber_for_unsubscribe(token: str) -> Subscriber | None:
    return _subscriber_from(signing.Signer(salt=UNSUBSCRIBE_SALT), token)


@transaction.atomic
def subscriber_confirm(*, token: str) -> Subscriber:
    """The link of the confirmation mail: the subscription starts (idempotent)."""
    subscriber = subscriber_for_confirm(token)
    if subscriber is None or subscriber.unsubscribed_at:
        raise ValidationFailed({"token": _("This confirmation link is not valid or has expired.")})
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(*, token: str) -> Subscriber:
    """One click from any notice: nothing more is sent to the address (idempotent)."""
    subscriber = subscriber_for_unsubscribe(token)
    if subscriber is None:
        raise ValidationFailed({"token": _("This unsubscribe link is not valid.")})
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["unsubscribed_at"])
    return subscriber


def subscribers_expire(*, now=None) -> int:
    """Delete subscriptions never confirmed within CONFIRM_DAYS (a periodic job)."""
    cutoff = (now or timezone.now()) - timedelta(days=CONFIRM_DAYS)
    _total, per_model = Subscriber.objects.filter(
        confirmed_at__isnull=True, created_at__lt=cutoff, confirm_sent_at__lt=cutoff
    ).delete()
    return per_model.get(Subscriber._meta.label, 0)
