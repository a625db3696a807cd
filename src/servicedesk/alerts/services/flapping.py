"""Ending a key's flapping once it has been stable for the hold-down time: the catch-up.

Run by the due-work sweep (core/due.py) on AlertFlap rows whose `next_check_at` has come.
"""

from django.utils.translation import gettext as _

from servicedesk.alerts.flapping import flap_forget, flap_settles_at
from servicedesk.alerts.models import Alert, AlertFlap, AlertStatus
from servicedesk.alerts.services.processing import incident_audience, incident_cleared
from servicedesk.notifications.services import notify
from servicedesk.tickets.services import ticket_monitoring_record
from servicedesk.tickets.states import OPEN_STATUSES

FLAP_DUE_RELATED = ("integration", "integration__actor")


def flap_settle(flap: AlertFlap, now) -> None:
    """Stable for the hold-down: no longer flapping, and one catch-up for what was held.

    The catch-up: a timeline row on the incident saying the alert is stable again and in which
    state; then, if every alert of the incident has cleared, what the clearing would have done
    (resolve the incident, or tell its agent); otherwise its agent (or group) gets the message
    *A flapping alert is stable again* (topic `alerts.settled`).
    """
    integration = flap.integration
    settles = flap_settles_at(flap, hold=integration.flap_hold)
    if settles is None or settles > now:
        flap.next_check_at = settles
        flap.save(update_fields=["next_check_at"])
        return
    held, since = flap.held, flap.flapping_since
    flap_forget(flap)
    flap.save(update_fields=["changes", "flapping", "flapping_since", "held", "next_check_at"])
    Alert.objects.filter(integration=integration, dedup_key=flap.dedup_key, flapping=True).update(
        flapping=False
    )
    alert = (
        Alert.objects.filter(integration=integration, dedup_key=flap.dedup_key)
        .select_related("incident")
        .order_by("-id")
        .first()
    )
    incident = alert.incident if alert else None
    if incident is None or incident.status not in OPEN_STATUSES:
        return
    firing = alert.status != AlertStatus.RESOLVED
    cleared = (
        not firing
        and not Alert.objects.filter(incident=incident)
        .exclude(status=AlertStatus.RESOLVED)
        .exists()
    )
    summary = {
        "settled": [flap.dedup_key],
        "settled_count": 1,
        "state": alert.status,
        "held": held,
        "flapping_since": since.isoformat() if since else None,
    }
    if cleared:
        summary["all_cleared"] = True
    body = (
        _("%(key)s is stable again and still firing (%(n)d state changes held).")
        if firing
        else _("%(key)s is stable again and resolved (%(n)d state changes held).")
    ) % {"key": flap.dedup_key, "n": held}
    if cleared:
        body += " " + _("All alerts cleared.")
    ticket_monitoring_record(ticket=incident, actor=integration.actor, body=body, alerts=summary)
    if cleared:
        incident_cleared(integration, incident, now)
        return
    notify(
        "alerts.settled",
        incident,
        incident_audience(incident),
        {"ticket": incident, "integration": integration, "alert": alert, "held": held},
        dedup_key=f"alerts:{incident.pk}:settled:{flap.pk}:{now.isoformat()}",
    )
