"""The demo's status page: its components (the demo's business services, in groups), a past
incident with its updates and a maintenance window ahead, written through the status page's
services on a travelled clock so their history is where it belongs in time."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from servicedesk.catalog.models import Service
from servicedesk.demo.desk import Desk
from servicedesk.statuspage import services
from servicedesk.statuspage.models import Component, ComponentGroup

GROUPS = (
    ("Collaboration", "Colaborare", ("Email and calendar", "Intranet", "Telephony")),
    ("Business applications", "Aplicații de business", ("ERP", "CRM", "Payroll and HR portal")),
    (
        "Network and access",
        "Rețea și acces",
        (
            "VPN and remote access",
            "Office network and Wi-Fi",
            "Internet access",
            "Identity and access",
        ),
    ),
)
ROMANIAN = {
    "Email and calendar": "E-mail și calendar",
    "Intranet": "Intranet",
    "Telephony": "Telefonie",
    "ERP": "ERP",
    "CRM": "CRM",
    "Payroll and HR portal": "Salarizare și portal HR",
    "VPN and remote access": "VPN și acces la distanță",
    "Office network and Wi-Fi": "Rețeaua biroului și Wi-Fi",
    "Internet access": "Acces la internet",
    "Identity and access": "Identitate și acces",
}


def status_page_seed(desk: Desk) -> int:
    """Add the status page's components, a past incident and a maintenance; returns how many
    components it added (none when the page already has some)."""
    if Component.objects.exists():
        return 0
    services_by_name = {s.name_en or s.name: s for s in Service.objects.all()}
    position = 0
    components = {}
    for g, (name, name_ro, members) in enumerate(GROUPS):
        group = ComponentGroup.objects.create(name=name, name_ro=name_ro, position=g)
        for member in members:
            service = services_by_name.get(member)
            if service is None:
                continue
            position += 1
            components[member] = Component.objects.create(
                service=service,
                group=group,
                name=member,
                name_ro=ROMANIAN.get(member, ""),
                position=position,
                created_at=timezone.now() - timedelta(days=120),
            )
    agent = desk.members["desk"][0]
    now = timezone.now()
    vpn = components.get("VPN and remote access")
    mail = components.get("Email and calendar")
    if vpn is not None:
        _past_incident(agent, vpn, start=now - timedelta(days=3, hours=5))
    if mail is not None:
        _past_incident(
            agent,
            mail,
            start=now - timedelta(days=41, hours=2),
            status="major_outage",
            title="Email cannot be sent or received",
        )
        services.maintenance_schedule(
            actor=agent,
            title="Mail server upgrade",
            message="Email may be unavailable for a few minutes during the upgrade.",
            components=[mail],
            starts_at=(now + timedelta(days=2)).replace(hour=20, minute=0, second=0, microsecond=0),
            ends_at=(now + timedelta(days=2)).replace(hour=22, minute=0, second=0, microsecond=0),
        )
    return len(components)


def _past_incident(
    agent,
    component,
    *,
    start,
    status="degraded_performance",
    title="VPN connections drop after a few minutes",
):
    steps = (
        (timedelta(), "investigating", "We are investigating reports of this problem."),
        (timedelta(minutes=40), "identified", "The cause is found; a fix is being applied."),
        (timedelta(hours=2), "monitoring", "A fix is in place; we are watching the service."),
        (timedelta(hours=3), "resolved", "The service works normally again."),
    )
    incident = None
    for offset, step, message in steps:
        with time_machine.travel(start + offset, tick=False):
            if incident is None:
                incident = services.incident_publish(
                    actor=agent,
                    title=title,
                    message=message,
                    components=[component],
                    component_status=status,
                )
            else:
                services.incident_update_post(
                    incident=incident, actor=agent, status=step, message=message
                )
