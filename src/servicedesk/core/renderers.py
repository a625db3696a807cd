"""JSON responses rendered with orjson.

A ticket list page is about 30 KB of JSON; orjson writes it in about a tenth of the time the
standard library takes. What orjson does not know natively (lazy translations, Decimal,
datetimes, which DRF writes with a trailing "Z" for UTC) goes through DRF's own encoder, and
U+2028/U+2029 are escaped as DRF does, so a client reads the same values as from DRF's
JSONRenderer. Left different: floats in their shortest form (1e-7, not 1e-07), NaN and infinity
as null where DRF refuses them, and integers beyond 64 bits refused (the API sends neither).
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder().default
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        rendered = orjson.dumps(data, default=_fallback, option=_OPTIONS)
        # As DRF does: these two are valid JSON but end a line in JavaScript.
        return rendered.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
