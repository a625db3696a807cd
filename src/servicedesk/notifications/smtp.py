"""Django's SMTP backend, with the envelope addresses of a batch prepared once.

Django parses both envelope addresses of every message into a token tree to check them
(`prep_address`): the same sender each time, and a recipient that is a plain addr-spec in the
common case. This backend returns a plain ASCII addr-spec as it is (what the parse would return
for it; a tested property) and remembers the answer for the others, so a batch of thousands does
not parse its sender thousands of times. Everything else is Django's.
"""

import functools

from django.core.mail.backends import smtp

from servicedesk.notifications.channels.email import SIMPLE_ADDRESS

PREPARED = 4096  # addresses remembered; a batch's sender and its non-plain recipients


@functools.lru_cache(maxsize=PREPARED)
def _prepared(address: str, force_ascii: bool) -> str:
    return smtp.EmailBackend.prep_address(None, address, force_ascii=force_ascii)


class EmailBackend(smtp.EmailBackend):
    def prep_address(self, address, force_ascii=True):
        if isinstance(address, str):
            if SIMPLE_ADDRESS.fullmatch(address):
                return address
            return _prepared(address, force_ascii)
        return super().prep_address(address, force_ascii=force_ascii)
