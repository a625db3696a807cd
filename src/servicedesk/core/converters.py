"""The path converter of every id in a URL (`<id:pk>`): ASCII digits from 1 to MAX_ID.

Django's `<id:…>` takes any number of digits; an id past the database's 64-bit integers then
reaches a lookup (a foreign key's, which Django does not range-check) and fails there with an
OverflowError, a 500. Here such a path matches no route: a 404 like any unknown id.
"""

from servicedesk.core.fields import id_from_text


class IdConverter:
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        found = id_from_text(value)
        if found is None:
            raise ValueError(value)  # the route does not match
        return found

    def to_url(self, value) -> str:
        return str(int(value))
