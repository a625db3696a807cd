"""The catalogue in the reader's language (catalog/translation.py, accounts', sla's): names of
categories, services, groups, questions and SLA policies as a person reads them, page by page."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from servicedesk.accounts.models import SupportGroup
from servicedesk.accounts.selectors import group_choices, group_labels
from servicedesk.catalog.models import Category
from servicedesk.catalog.selectors import category_choices, category_paths, service_choices
from servicedesk.sla.models import BusinessCalendar, SlaPolicy
from servicedesk.tickets import services
from tests.catalog.factories import CategoryFactory, DiagnosticQuestionFactory
from tests.tickets.factories import ticket_logged

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def romanian_desk(desk):
    """The shared desk with Romanian names for its group, category, service and questions."""
    desk.network = CategoryFactory(name="Network", name_ro="Rețea")
    desk.vpn = CategoryFactory(name="VPN", name_ro="Acces VPN", parent=desk.network)
    desk.l1.name_ro = "Serviciul de asistență"
    desk.l1.save()
    desk.service.name_ro = "Poștă electronică"
    desk.service.save()
    question = desk.questions[0]
    question.text_ro = "De când?"
    question.save()
    return desk


def _ticket(desk):
    return ticket_logged(
        requester=desk.requester, title="VPN drops", category=desk.vpn, service=desk.service
    )


def _reader(client, user, language):
    user.language = language
    user.save()
    client.force_login(user)
    return client


# ---------------------------------------------------------------------------------------------
# The models: the plain attribute reads the active language, English where none is given


def test_names_follow_the_active_language_and_fall_back_to_english(romanian_desk):
    desk = romanian_desk
    with translation.override("ro"):
        assert desk.vpn.path == "Rețea › Acces VPN"
        assert str(desk.l1) == "Serviciul de asistență (L1)"
        assert desk.category.name == "Email"  # no Romanian given: the English
        assert desk.questions[1].text == "Does webmail work?"
    with translation.override("en"):
        assert desk.vpn.path == "Network › VPN"
        assert desk.l1.name == "Service Desk"


def test_the_existing_names_became_the_english_and_the_plain_column_stays_english(romanian_desk):
    group = SupportGroup.objects.get(pk=romanian_desk.l1.pk)
    assert group.name_en == "Service Desk"
    with translation.override("ro"):
        group.description = "Prima linie"  # saved by a Romanian administrator
        group.save()
    row = SupportGroup.objects.raw_values("name", "name_ro").get(pk=group.pk)
    assert row == {"name": "Service Desk", "name_ro": "Serviciul de asistență"}


def test_the_default_sla_policies_and_calendars_have_both_names():
    with translation.override("ro"):
        assert BusinessCalendar.objects.get(name_en="Office hours").name == "Program de lucru"
        assert SlaPolicy.objects.get(name_en="P3 standard").name == "P3 standard"
    with translation.override("en"):
        assert BusinessCalendar.objects.get(name_ro="Program de lucru").name == "Office hours"


def test_a_choice_question_asks_in_the_readers_language_and_takes_either(romanian_desk):
    question = DiagnosticQuestionFactory(
        category=romanian_desk.category,
        text="Which client?",
        text_ro="Ce program?",
        answer_type="choice",
        choices=["Desktop", "Web"],
        choices_ro=["Desktop", "Pe web"],
    )
    with translation.override("ro"):
        assert question.choices == ["Desktop", "Pe web"]
        assert question.answer_error("Pe web") is None
        assert question.answer_error("Web") is None  # given in English, still valid
        assert "Desktop, Pe web" in question.answer_error("Mobile")
    question.choices_ro = ["Doar una"]
    with pytest.raises(ValidationError, match="as many choices"):
        question.clean()


# ---------------------------------------------------------------------------------------------
# Cached choice lists and name maps: one copy per language, dropped by any write


def test_cached_maps_are_kept_per_language(romanian_desk):
    desk = romanian_desk
    ids = {desk.vpn.pk}
    with translation.override("en"):
        assert category_paths(ids)[desk.vpn.pk] == "Network › VPN"
        assert group_labels({desk.l1.pk})[desk.l1.pk]["name"] == "Service Desk"
    with translation.override("ro"):
        assert category_paths(ids)[desk.vpn.pk] == "Rețea › Acces VPN"
        assert group_labels({desk.l1.pk})[desk.l1.pk]["name"] == "Serviciul de asistență"
        assert (desk.vpn.pk, "Rețea › Acces VPN") in category_choices()
        assert (desk.service.pk, "Poștă electronică") in service_choices()
        assert (desk.l1.pk, "Serviciul de asistență (L1)") in group_choices()
    with translation.override("en"):
        assert (desk.vpn.pk, "Network › VPN") in category_choices()


def test_editing_a_romanian_name_drops_the_cached_maps_at_once(romanian_desk):
    desk = romanian_desk
    with translation.override("ro"):
        assert category_paths({desk.vpn.pk})[desk.vpn.pk] == "Rețea › Acces VPN"
        assert (desk.vpn.pk, "Rețea › Acces VPN") in category_choices()
        assert group_labels({desk.l1.pk})[desk.l1.pk]["name"] == "Serviciul de asistență"
    Category.objects.filter(pk=desk.network.pk).update(name_ro="Rețele")
    desk.l1.name_ro = "Dispecerat"
    desk.l1.save()
    with translation.override("ro"):
        assert category_paths({desk.vpn.pk})[desk.vpn.pk] == "Rețele › Acces VPN"
        assert (desk.vpn.pk, "Rețele › Acces VPN") in category_choices()
        assert group_labels({desk.l1.pk})[desk.l1.pk]["name"] == "Dispecerat"


def test_choice_lists_sort_by_the_name_read_whatever_its_diacritics(desk):
    CategoryFactory(name="Zebra", name_ro="Ștampile")
    CategoryFactory(name="Tables", name_ro="Tabele")
    with translation.override("ro"):
        labels = [label for _pk, label in category_choices()]
    assert labels.index("Ștampile") < labels.index("Tabele")  # Ș sorts with S, not after Z


# ---------------------------------------------------------------------------------------------
# Pages


def test_the_console_queue_names_category_and_group_in_the_readers_language(client, romanian_desk):
    desk = romanian_desk
    _ticket(desk)
    page = _text(_reader(client, desk.l1_agent, "ro").get("/desk/?queue=open"))
    assert "Rețea › Acces VPN" in page and "Serviciul de asistență" in page
    assert "Network › VPN" not in page
    filters = _text(client.get("/desk/?queue=open&filters=1"))
    assert ">Rețea › Acces VPN<" in filters and ">Poștă electronică<" in filters
    assert ">Serviciul de asistență (L1)<" in filters

    page = _text(_reader(client, desk.l1_agent, "en").get("/desk/?queue=open"))
    assert "Network › VPN" in page and "Service Desk" in page
    assert "Rețea" not in page


def test_the_ticket_page_names_category_group_service_and_questions_in_the_readers_language(
    client, romanian_desk
):
    desk = romanian_desk
    ticket = ticket_logged(
        requester=desk.requester, title="Mail", category=desk.category, service=desk.service
    )
    page = _text(_reader(client, desk.l1_agent, "ro").get(f"/desk/tickets/{ticket.number}/"))
    assert "Serviciul de asistență" in page and "Poștă electronică" in page
    assert "De când?" in page
    assert "Email" in page  # the category has no Romanian name: the English one
    page = _text(_reader(client, desk.l1_agent, "en").get(f"/desk/tickets/{ticket.number}/"))
    assert "Service Desk" in page and "Since when?" in page
    assert "Serviciul de asistență" not in page and "Poștă electronică" not in page


def test_the_portal_report_form_offers_categories_in_the_readers_language(client, romanian_desk):
    page = _text(_reader(client, romanian_desk.requester, "ro").get("/report/"))
    assert ">Rețea › Acces VPN<" in page and ">Email<" in page
    page = _text(_reader(client, romanian_desk.requester, "en").get("/report/"))
    assert ">Network › VPN<" in page and "Rețea" not in page


def test_the_report_breaks_down_by_category_in_the_readers_language(client, romanian_desk):
    desk = romanian_desk
    _ticket(desk)
    reader = _reader(client, desk.admin, "ro")
    assert "Rețea › Acces VPN" in _text(reader.get("/desk/reports/?breakdown=category"))
    assert "Serviciul de asistență" in _text(reader.get("/desk/reports/?breakdown=group"))
    assert "Poștă electronică" in _text(reader.get("/desk/reports/?breakdown=service"))


# ---------------------------------------------------------------------------------------------
# The API


def test_the_ticket_api_answers_in_the_requested_language(api_for, romanian_desk):
    desk = romanian_desk
    ticket = _ticket(desk)
    api = api_for(desk.l1_agent)
    detail = api.get(f"/api/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="ro").json()
    assert detail["category"]["path"] == "Rețea › Acces VPN"
    assert detail["assignment_group"]["name"] == "Serviciul de asistență"
    assert detail["service"]["name"] == "Poștă electronică"
    listed = api.get("/api/tickets/", HTTP_ACCEPT_LANGUAGE="ro").json()["results"][0]
    assert listed["category"]["path"] == "Rețea › Acces VPN"
    assert listed["assignment_group"]["name"] == "Serviciul de asistență"

    listed = api.get("/api/tickets/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert listed["category"]["path"] == "Network › VPN"
    assert listed["assignment_group"]["name"] == "Service Desk"
    detail = api.get(f"/api/tickets/{ticket.number}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert detail["assignment_group"]["name"] == "Service Desk"


def test_a_signed_in_reader_gets_the_api_in_their_own_language(client, romanian_desk):
    desk = romanian_desk
    ticket = _ticket(desk)
    reader = _reader(client, desk.l1_agent, "ro")
    listed = reader.get("/api/tickets/").json()["results"][0]
    assert listed["category"]["path"] == "Rețea › Acces VPN"
    detail = reader.get(f"/api/tickets/{ticket.number}/").json()
    assert detail["assignment_group"]["name"] == "Serviciul de asistență"


def test_the_catalog_api_answers_in_the_requested_language(api_for, romanian_desk):
    api = api_for(romanian_desk.l1_agent)
    categories = api.get("/api/catalog/categories/", HTTP_ACCEPT_LANGUAGE="ro").json()
    by_id = {c["id"]: c for c in categories}
    assert by_id[romanian_desk.vpn.pk]["path"] == "Rețea › Acces VPN"
    email = by_id[romanian_desk.category.pk]
    assert email["name"] == "Email"  # falls back to English
    assert [q["text"] for q in email["questions"]] == ["De când?", "Does webmail work?"]
    groups = api.get("/api/catalog/groups/", HTTP_ACCEPT_LANGUAGE="ro").json()
    assert "Serviciul de asistență" in {g["name"] for g in groups}
    catalog = api.get("/api/catalog/services/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert {s["name"] for s in catalog} == {"Email"}


# ---------------------------------------------------------------------------------------------
# The admin


@pytest.mark.parametrize(
    "url",
    [
        "/admin/catalog/category/add/",
        "/admin/catalog/service/add/",
        "/admin/accounts/supportgroup/add/",
        "/admin/sla/slapolicy/add/",
        "/admin/sla/businesscalendar/add/",
    ],
)
def test_the_admin_asks_for_each_name_in_both_languages(client, desk, url):
    client.force_login(desk.admin)
    page = client.get(url).content.decode()
    assert 'name="name_en"' in page and 'name="name_ro"' in page


def test_an_administrator_enters_a_category_in_both_languages(client, desk):
    client.force_login(desk.admin)
    response = client.post(
        "/admin/catalog/category/add/",
        {
            "name_en": "Printing",
            "name_ro": "Imprimare",
            "description_en": "",
            "description_ro": "",
            "is_active": "on",
            "questions-TOTAL_FORMS": "1",
            "questions-INITIAL_FORMS": "0",
            "questions-0-text_en": "Which printer?",
            "questions-0-text_ro": "Ce imprimantă?",
            "questions-0-answer_type": "text",
            "questions-0-choices_en": "[]",
            "questions-0-choices_ro": "[]",
            "questions-0-position": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    category = Category.objects.get(name_en="Printing")
    with translation.override("ro"):
        assert category.name == "Imprimare"
        assert category.questions.get().text == "Ce imprimantă?"
    # An empty Romanian name is no name: another category may leave it empty too.
    response = client.post(
        "/admin/catalog/category/add/",
        {
            "name_en": "Scanning",
            "name_ro": "",
            "is_active": "on",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Category.objects.get(name_en="Scanning").name_ro is None


# ---------------------------------------------------------------------------------------------
# Emails


def test_an_email_names_the_group_in_the_recipients_language(romanian_desk, deliver_outbox):
    desk = romanian_desk
    desk.manager.language = "ro"
    desk.manager.save()
    ticket = _ticket(desk)
    mail.outbox.clear()
    services.ticket_escalate_to_manager(ticket=ticket, actor=desk.l1_agent, reason="Urgent")
    sent = [m for m in deliver_outbox() if desk.manager.email in m.to]
    assert sent and "Serviciul de asistență" in sent[0].body


def test_the_timeline_writes_names_in_english_whoever_acts(romanian_desk):
    with translation.override("ro"):
        ticket = _ticket(romanian_desk)
    created = ticket.events.get(type="created")
    assert created.data["group"] == "Service Desk (L1)"
