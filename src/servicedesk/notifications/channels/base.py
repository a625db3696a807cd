"""What a channel returns: for each message it could not send, why, and whether to retry."""

from typing import NamedTuple


class Failure(NamedTuple):
    error: str
    #: retrying cannot help (a refused target, an unknown endpoint): the message ends dead now
    permanent: bool = False
