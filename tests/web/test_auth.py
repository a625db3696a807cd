"""Sign-in, landing by role, password reset, the language switcher and per-person time zones."""

import re

from django.core import mail

from servicedesk.accounts.models import User
from tests.accounts.factories import UserFactory
from tests.tickets.factories import ticket_logged


def _sign_in(client, username, password="pw-for-tests"):
    return client.post("/login/", {"username": username, "password": password})


def test_staff_land_on_the_console_and_requesters_on_the_portal(client, desk):
    response = _sign_in(client, "lena.l1")
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").url == "/desk/"
    client.post("/logout/")
    _sign_in(client, "ana")
    page = client.get("/")
    assert page.status_code == 200
    assert "Report a problem" in page.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for url in ("/", "/desk/", "/report/", "/desk/log/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/?next=")


def test_wrong_password_is_refused_in_the_form(client, desk):
    response = _sign_in(client, "ana", "wrong")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_preferred_language_is_applied_at_sign_in(client, desk):
    desk.requester.language = "ro"
    desk.requester.save()
    response = _sign_in(client, "ana")
    assert response.cookies["django_language"].value == "ro"
    page = client.get("/").content.decode()
    assert '<html lang="ro">' in page
    assert "Raportați o problemă" in page


def test_the_switcher_saves_the_preference(client, desk):
    client.force_login(desk.requester)
    response = client.post("/language/", {"language": "ro", "next": "/report/"})
    assert response.status_code == 302 and response.url == "/report/"
    assert User.objects.get(pk=desk.requester.pk).language == "ro"
    assert "Trimiteți serviciului de asistență" in client.get("/report/").content.decode()
    client.post("/language/", {"language": "xx", "next": "/"})
    assert User.objects.get(pk=desk.requester.pk).language == "ro"


def test_the_switcher_works_before_signing_in(client, db):
    client.post("/language/", {"language": "ro", "next": "/login/"})
    assert "Autentificare" in client.get("/login/").content.decode()


def test_error_messages_of_services_are_translated(client, desk):
    desk.l1_agent.language = "ro"
    desk.l1_agent.save()
    client.force_login(desk.l1_agent)
    ticket = ticket_logged(requester=desk.requester)
    response = client.post(
        f"/desk/tickets/{ticket.number}/do/escalate/", {"to_group": desk.l3.pk, "reason": "x"}
    )
    assert response.context["action_form"].errors["to_group"] == [
        "Doar tichetele critice (P1, P2) pot sări peste un nivel."
    ]


def test_times_are_shown_in_the_persons_time_zone(client, desk):
    ticket = ticket_logged(requester=desk.requester)
    desk.requester.time_zone = "America/New_York"
    desk.requester.save()
    client.force_login(desk.requester)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    shown = re.search(r'<time datetime="([^"]+)"', page).group(1)
    assert shown.endswith(("-05:00", "-04:00"))
    desk.requester.time_zone = "Asia/Tokyo"
    desk.requester.save()
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert re.search(r'<time datetime="([^"]+)"', page).group(1).endswith("+09:00")


def test_password_reset_by_email(client, desk):
    client.post("/password-reset/", {"email": desk.requester.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new = {"new_password1": "a-Long-new-one-42", "new_password2": "a-Long-new-one-42"}
    done = client.post(form.redirect_chain[-1][0], new, follow=True)
    assert "Password changed" in done.content.decode()
    assert _sign_in(client, "ana", "a-Long-new-one-42").status_code == 302


def test_a_caller_created_by_the_desk_can_set_a_first_password(client, db):
    caller = UserFactory(username="caller", email="caller@example.test")
    caller.set_unusable_password()
    caller.save()
    client.post("/password-reset/", {"email": "caller@example.test"})
    assert len(mail.outbox) == 1


def test_not_found_page_is_the_sites(client, desk):
    client.force_login(desk.requester)
    response = client.get("/tickets/INC0000042/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_healthz(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
