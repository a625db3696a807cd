"""The console's alerts view and maintenance windows in a real browser, in English and
Romanian: no serious or critical axe violation, no English left on the Romanian pages; an
administrator adds a recurring window through the form."""

from dataclasses import asdict

import pytest

from servicedesk.accounts.models import Role
from servicedesk.alerts.models import Alert, MaintenanceWindow
from servicedesk.alerts.services import (
    alerts_process,
    integration_create,
    maintenance_window_create,
)
from servicedesk.alerts.services.intake import raw_event_store
from servicedesk.alerts.sources import TRIGGER, Item
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ServiceFactory
from tests.e2e.conftest import page_problems

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def monitored(db):
    admin = UserFactory(username="ioana", role=Role.ADMIN, is_staff=True, is_superuser=True)
    mail = ServiceFactory(name="ERP")
    maintenance_window_create(
        title="Sunday patching",
        service=mail,
        starts_at="2026-03-22T02:00",
        duration=120,
        time_zone="Europe/Bucharest",
        rrule="FREQ=WEEKLY;BYDAY=SU",
    )
    integration, _key = integration_create(name="Prometheus", source="generic", service=mail)
    return admin, mail, integration


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_alerts_and_maintenance_pages_are_accessible(person, monitored, lang):
    admin, mail, integration = monitored
    admin.language = lang
    admin.save(update_fields=["language"])
    for key in ("db1", "db2"):
        item = Item(key=key, action=TRIGGER, severity="critical", summary=f"{key} down")
        raw_event_store(integration_id=integration.pk, body=b"{}", items=[asdict(item)])
    alerts_process()
    Alert.objects.filter(dedup_key="db1").update(flapping=True)
    Alert.objects.filter(dedup_key="db2").update(in_maintenance=True)
    someone = person(admin, lang=lang)
    found = {}
    for name, path in (
        ("alerts", f"/desk/alerts/?lang={lang}"),
        ("flapping", f"/desk/alerts/?state=flapping&lang={lang}"),
        ("maintenance", f"/desk/alerts/maintenance/?lang={lang}"),
    ):
        someone.go(path)
        found[name] = page_problems(someone)
    assert {name: v for name, v in found.items() if v} == {}

    # An administrator adds a window: the time typed is the window's wall clock.
    someone.go(f"/desk/alerts/maintenance/?lang={lang}")
    page = someone.page
    page.fill("#id_title", "Backups")
    page.select_option("#id_service", str(mail.pk))
    page.fill("#id_starts_at", "2026-07-01T01:00")
    page.fill("#id_duration", "30")
    page.fill("#id_time_zone", "Europe/Bucharest")
    page.fill("#id_rrule", "FREQ=DAILY")
    someone.submit(page.locator("form:has(#id_title) button[type=submit]"))
    window = MaintenanceWindow.objects.get(title="Backups")
    assert window.starts_at.isoformat() == "2026-06-30T22:00:00+00:00"
    assert "Backups" in page.content()
