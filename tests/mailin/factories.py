from pathlib import Path

import factory

from servicedesk.mailin.models import Mailbox

MESSAGES = Path(__file__).parent / "messages"


class MailboxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mailbox
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"box{n}")
    address = factory.LazyAttribute(lambda m: f"{m.name}@desk.example.test")
    kind = Mailbox.Kind.PIPE
    accept_new_requesters = True


def fixture_message(name: str, **values: str) -> bytes:
    """A message of tests/mailin/messages/, its {{PLACEHOLDERS}} filled in."""
    raw = (MESSAGES / name).read_bytes()
    for key, value in values.items():
        raw = raw.replace(b"{{" + key.upper().encode() + b"}}", value.encode())
    return raw
