"""One update for many subscribers (notifications/services.py): one `notify()` call, each
recipient's own values and headers in their row alone, the template rendered once per language
with exactly the text a rendering per recipient gives, and the dedup key still the guard."""

import pytest
from django.db import transaction

from servicedesk.notifications import services, topics
from servicedesk.notifications.models import OutboxMessage
from servicedesk.notifications.services import Recipient, notify
from servicedesk.notifications.topics import Topic

pytestmark = pytest.mark.django_db

TEMPLATES = {
    "fanout/update.txt": (
        "{% load i18n %}[{{ service }}] {% trans 'Resolved' %}: {{ incident }}\n"
        "{{ update }}\n\n"
        "Unsubscribe: {{ recipient_values.unsubscribe_url }}\n"
        "Again, escaped: {{ recipient_values.unsubscribe_url }}; "
        "{% autoescape off %}raw: {{ recipient_values.unsubscribe_url }}{% endautoescape %}\n"
        "Code: {{ recipient_values.code }}"
    ),
    # A filter changes the value: the stand-ins cannot be used, each recipient is rendered.
    "fanout/filtered.txt": "Hello\nLeave: {{ recipient_values.unsubscribe_url|upper }}",
    # A value tested by the template: an empty one must take the other branch.
    "fanout/branch.txt": (
        "Hello\n{% if recipient_values.code %}Code {{ recipient_values.code }}"
        "{% else %}No code{% endif %}"
    ),
    "fanout/title.txt": "Code {{ recipient_values.code }} for you\nBody",
}


@pytest.fixture
def templates(settings, monkeypatch):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", TEMPLATES)]},
        }
    ]
    for name in ("update", "filtered", "branch", "title"):
        # Registered for this test only: a topic left behind would show on later settings pages.
        monkeypatch.setitem(
            topics._topics, f"fanout.{name}", Topic(f"fanout.{name}", name, f"fanout/{name}.txt")
        )


def _subscribers(count: int, *, start: int = 0) -> list[Recipient]:
    people = []
    for n in range(start, start + count):
        url = f"https://status.test/unsubscribe/{n}/?a=1&b=<{n}>"
        people.append(
            Recipient(
                "email",
                f"sub{n}@example.test",
                "ro" if n % 3 == 0 else "en",
                values=(("unsubscribe_url", url), ("code", f"C{n}'\"")),
                headers=(
                    ("List-Unsubscribe", f"<https://status.test/unsubscribe/{n}/>"),
                    ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                ),
            )
        )
    return people


CONTEXT = {"service": "Sign-in", "incident": "Slow sign-ins", "update": "Fixed & monitored."}


def _own_rendering(topic: str, recipient: Recipient) -> tuple[str, str]:
    """The email as rendering the template for this recipient alone gives it."""
    template = f"fanout/{topic.removeprefix('fanout.')}.txt"
    rendered = services._render_email(template, CONTEXT, recipient)
    title, body = services._email_parts(rendered)
    return title[:250], body


def test_every_subscriber_gets_one_row_with_their_own_values_and_headers(templates):
    people = _subscribers(500)
    with transaction.atomic():
        written = notify("fanout.update", None, people, CONTEXT, "status:update:1")

    assert len(written) == 500 and all(row.pk for row in written)
    rows = {row.destination: row for row in OutboxMessage.objects.all()}
    assert len(rows) == 500
    for n, person in enumerate(people):
        row = rows[person.destination]
        assert row.headers == {
            "List-Unsubscribe": f"<https://status.test/unsubscribe/{n}/>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        # Escaped where the template escapes, as it is where autoescaping is off.
        assert f"/unsubscribe/{n}/?a=1&amp;b=&lt;{n}&gt;" in row.body
        assert f"raw: https://status.test/unsubscribe/{n}/?a=1&b=<{n}>" in row.body
        assert f"/unsubscribe/{n + 1}/" not in row.body
        assert (row.title, row.body) == _own_rendering("fanout.update", person)
        assert row.language == person.language
    assert len({row.message_id for row in rows.values()}) == 500


def test_the_same_call_twice_writes_nothing_new(templates):
    people = _subscribers(500)
    notify("fanout.update", None, people, CONTEXT, "status:update:1")
    with transaction.atomic():
        again = notify("fanout.update", None, people, CONTEXT, "status:update:1")
        # The caller's transaction is still usable after the refused INSERT.
        assert OutboxMessage.objects.count() == 500
    assert again == []
    assert OutboxMessage.objects.count() == 500


def test_a_repeat_with_new_subscribers_writes_only_theirs(templates, monkeypatch):
    monkeypatch.setattr(services, "INSERT_CHUNK", 40)
    notify("fanout.update", None, _subscribers(30), CONTEXT, "status:update:1")
    written = notify("fanout.update", None, _subscribers(100), CONTEXT, "status:update:1")

    assert sorted(row.destination for row in written) == sorted(
        f"sub{n}@example.test" for n in range(30, 100)
    )
    assert all(row.pk for row in written)
    assert OutboxMessage.objects.count() == 100
    assert OutboxMessage.objects.values("destination").distinct().count() == 100


def test_a_key_taken_by_another_writer_between_the_two_inserts_is_left_to_it(
    templates, monkeypatch
):
    """After the first refusal the chunk is written again without the keys found; should
    another writer take one of the others meanwhile, the chunk goes row by row and leaves it."""
    from django.db import IntegrityError

    notify("fanout.update", None, _subscribers(5), CONTEXT, "status:update:1")
    real_bulk, real_one = OutboxMessage.objects.bulk_create, services._insert_one
    calls = []

    def bulk_create(rows, *args, **kwargs):
        calls.append(len(rows))
        if len(calls) == 2:  # another writer committed sub7's message meanwhile
            raise IntegrityError("UNIQUE constraint failed: dedup_key")
        return real_bulk(rows, *args, **kwargs)

    def insert_one(row, *, fresh):
        if row.destination == "sub7@example.test":
            rival = OutboxMessage.objects.get(destination="sub0@example.test")
            rival.pk, rival.destination, rival.dedup_key = None, "rival", row.dedup_key
            rival.save(force_insert=True)
        return real_one(row, fresh=fresh)

    monkeypatch.setattr(OutboxMessage.objects, "bulk_create", bulk_create)
    monkeypatch.setattr(services, "_insert_one", insert_one)
    written = notify("fanout.update", None, _subscribers(10), CONTEXT, "status:update:1")

    assert calls == [10, 5]
    assert sorted(row.destination for row in written) == [
        f"sub{n}@example.test" for n in (5, 6, 8, 9)
    ]
    assert OutboxMessage.objects.count() == 10
    assert OutboxMessage.objects.filter(destination="rival").count() == 1


@pytest.mark.parametrize("topic", ["fanout.filtered", "fanout.branch", "fanout.title"])
def test_a_template_that_uses_a_value_otherwise_is_rendered_for_each(templates, topic):
    people = _subscribers(6)
    people[4] = Recipient(
        "email", "empty@example.test", "en", values=(("unsubscribe_url", "u"), ("code", ""))
    )
    notify(topic, None, people, CONTEXT, "status:update:2")

    for person in people:
        row = OutboxMessage.objects.get(destination=person.destination)
        assert (row.title, row.body) == _own_rendering(topic, person)
    if topic == "fanout.branch":
        assert OutboxMessage.objects.get(destination="empty@example.test").body == "No code\n"


def test_one_update_to_many_costs_a_few_queries(templates, django_assert_max_num_queries):
    people = _subscribers(500)
    # The content type, the webhook endpoints and the template are read once a process.
    notify("fanout.update", None, people[:3], CONTEXT, "status:warm")
    with django_assert_max_num_queries(3):  # savepoint, one INSERT, release
        notify("fanout.update", None, people, CONTEXT, "status:update:1")
