"""The check the Romanian walk relies on: it must notice English interface strings."""

from tests.e2e.conftest import english_left


class FakePage:
    def __init__(self, texts):
        self.texts = texts

    def evaluate(self, script):
        return self.texts


def test_english_interface_strings_are_noticed():
    english = [
        "Sign out",
        "P3 – moderate",
        "Logged through: Email",
        "Hello, Ana",
        "Last change 5 min ago",
        "Username",
    ]
    assert english_left(FakePage(english)) == english


def test_romanian_and_data_pass():
    texts = [
        "Ieșire",
        "P3 – moderată",
        "Înregistrat prin: E-mail",
        "Bună ziua, Ana",
        "Ultima modificare acum 5 min",
        "INC0001001",
        "Ana Marin",
        "Service Desk (L1)",
        "English",
        "Română",
        "15 min",
    ]
    assert english_left(FakePage(texts)) == []
