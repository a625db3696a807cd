"""The API's JSON parser: DRF's, with the limits a body from anyone on the network needs.

DRF's JSONParser hands whatever `json.load` returns to the view. A body nested tens of thousands
of levels deep exhausts the recursion limit while parsing, and one a few thousand deep parses but
exhausts it later, in whatever walks the data (a RecursionError, so a 500); a body that is not an
object (`null`, `1`, `[]`) reaches views that expect a mapping. Every body this API accepts is an
object, so anything else is refused here, once, as a 400 in the API's error shape.
"""

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.utils.json import strict_constant

#: Deeper than any body the API reads (the deepest, a diagnosis, is three levels), far below
#: the interpreter's recursion limit.
MAX_DEPTH = 64


class ObjectJSONParser(JSONParser):
    """A JSON object, at most MAX_DEPTH levels deep, or a ParseError saying which limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        # NaN and Infinity are not JSON: refused, as DRF does (STRICT_JSON).
        parse_constant = strict_constant if api_settings.STRICT_JSON else None
        try:
            data = json.loads(stream.read().decode(encoding), parse_constant=parse_constant)
        except RecursionError:
            raise ParseError(_nesting_message()) from None
        except ValueError as exc:  # also UnicodeDecodeError and over-long integer literals
            raise ParseError(f"JSON parse error - {exc}") from None
        # Depth first: `[[[…]]]` thousands deep is refused for its depth, the more telling reason.
        if json_depth(value=data) > MAX_DEPTH:
            raise ParseError(_nesting_message())
        if not isinstance(data, dict):
            raise ParseError(_("The body must be a JSON object."))
        return data


def _nesting_message() -> str:
    return _("The JSON body is nested deeper than the limit of %(depth)s levels.") % {
        "depth": MAX_DEPTH
    }


def json_depth(*, value) -> int:
    """How many levels of arrays and objects `value` has (a scalar has none).

    Iterative, so that a value as deep as the parser allowed cannot exhaust the stack here.
    """
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        pending.extend((child, depth + 1) for child in children)
    return deepest
