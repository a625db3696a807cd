"""One way of writing dates per language (servicedesk/formats): day month year and a 24-hour
clock, "1 Dec 2026, 22:56" in English, "1 dec. 2026, 22:56" in Romanian, in every format name
the templates use, on the pages, in the reports and in the emails."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format

from tests.tickets.factories import ticket_logged

# 22:56 in Bucharest on 1 December 2026.
MOMENT = datetime(2026, 12, 1, 20, 56, tzinfo=UTC)
WRITTEN = {"en": "1 Dec 2026, 22:56", "ro": "1 dec. 2026, 22:56"}
ROMANIAN_MONTHS = [
    "ian.",
    "feb.",
    "mar.",
    "apr.",
    "mai",
    "iun.",
    "iul.",
    "aug.",
    "sept.",
    "oct.",
    "nov.",
    "dec.",
]


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_every_format_name_writes_the_same_style(lang):
    day = datetime(2026, 12, 1, 22, 56)
    with translation.override(lang):
        assert date_format(day, "DATETIME_FORMAT") == WRITTEN[lang]
        assert date_format(day, "SHORT_DATETIME_FORMAT") == WRITTEN[lang]
        assert date_format(day, "DATE_FORMAT") == WRITTEN[lang].split(",")[0]
        assert date_format(day, "SHORT_DATE_FORMAT") == WRITTEN[lang].split(",")[0]
        assert date_format(day, "TIME_FORMAT") == "22:56"
        assert date_format(day, "MONTH_DAY_FORMAT") == WRITTEN[lang].split(" 2026")[0]
        assert (
            date_format(day, "YEAR_MONTH_FORMAT")
            == {
                "en": "December 2026",
                "ro": "decembrie 2026",
            }[lang]
        )


def test_romanian_months_are_lower_case():
    with translation.override("ro"):
        months = [date_format(date(2026, m, 2), "DATE_FORMAT") for m in range(1, 13)]
        names = [date_format(date(2026, m, 2), "F") for m in range(1, 13)]
    assert months == [f"2 {month} 2026" for month in ROMANIAN_MONTHS]
    assert names[10] == "noiembrie" and all(name == name.lower() for name in names)


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_pages_write_dates_in_the_readers_style(client, desk, lang):
    desk.requester.language = lang
    desk.requester.save(update_fields=["language"])
    with time_machine.travel(MOMENT, tick=False):
        ticket = ticket_logged(requester=desk.requester, title="Printer")
    client.force_login(desk.requester)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert WRITTEN[lang] in page
    assert not re.search(r"\d{2}/\d{2}/\d{4}|[ap]\.m\.|\d{4}-\d{2}-\d{2} \d", page)
    home = client.get("/").content.decode()
    assert WRITTEN[lang].split(",")[0] in home


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_sla_emails_write_dates_in_the_readers_style(lang):
    for name in ("sla/email/warning.txt", "sla/email/breach.txt"):
        with open(_template_path(name), encoding="utf-8") as source:
            template = Template(source.read())
        clock = {"due_at": MOMENT, "breached_at": MOMENT, "policy_name": "P1"}
        with translation.override(lang):
            text = template.render(
                Context({"clock": clock, "ticket": {"number": "INC1"}, "threshold": 75})
            )
        assert f"{WRITTEN[lang]} (EET)" in text, name


def _template_path(name: str):
    from django.template.loader import get_template

    return get_template(name).origin.name


def test_the_reports_write_days_as_dates(desk, client):
    desk.manager.language = "ro"
    desk.manager.save(update_fields=["language"])
    client.force_login(desk.manager)
    html = client.get(
        "/desk/reports/", {"start": "2026-11-09", "end": "2026-11-13", "breakdown": "week"}
    ).content.decode()
    assert "de la 9 nov. 2026 la 13 nov. 2026" in html
    assert '<th scope="row">9 nov. 2026</th>' in html  # the days' table
    assert "săptămâna începând cu 9 nov. 2026" in html
    assert not re.search(r"<th scope=\"row\">\d{4}-", html)
