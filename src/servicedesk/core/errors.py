"""Errors raised by services. Views and the API turn them into responses; nothing is written."""

from django.utils.functional import Promise
from django.utils.translation import gettext


class ServiceError(Exception):
    """Base for expected, user-facing failures of a service call."""

    status_code = 400

    def __init__(self, errors: dict[str, list[str] | str] | str, *, code: str = "invalid"):
        if isinstance(errors, str | Promise):
            errors = {"non_field_errors": [errors]}
        # A lazy translation is one message, not a sequence of characters.
        self.errors = {
            field: [str(msgs)] if isinstance(msgs, str | Promise) else [str(m) for m in msgs]
            for field, msgs in errors.items()
        }
        self.code = code
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in self.errors.items())


class Moved(Exception):  # noqa: N818 - not an error: the answer is a redirect
    """The object asked for by `old` (a path segment, e.g. a ticket number) is now `new`.

    Raised by a selector; `web.middleware.MovedMiddleware` answers every page and API path with
    a permanent redirect to the same path under the new name."""

    def __init__(self, *, old: str, new: str):
        self.old, self.new = old, new
        super().__init__(f"{old} is now {new}")


class ValidationFailed(ServiceError):
    """Input is wrong: each field names its reason."""

    status_code = 400


class TransitionNotAllowed(ServiceError):
    """The action is not allowed from the ticket's current state."""

    status_code = 409

    def __init__(self, errors, *, code: str = "transition_not_allowed"):
        super().__init__(errors, code=code)


class NotPermitted(ServiceError):
    """The actor may see the object but not do this to it."""

    status_code = 403

    def __init__(self, errors, *, code: str = "permission_denied"):
        super().__init__(errors, code=code)


class StaleVersion(ServiceError):
    """The object changed since the caller read it."""

    status_code = 412

    def __init__(self, errors=None, *, code="stale"):
        errors = errors or gettext("The ticket was changed by someone else; reload it.")
        super().__init__(
            {"If-Match": [errors] if isinstance(errors, str | Promise) else errors}, code=code
        )
