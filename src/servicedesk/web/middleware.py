"""Per-request middleware: the signed-in person's language and time zone; redirects for moved
objects."""

import re
import zoneinfo

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils import timezone, translation

from servicedesk.core.errors import Moved


class UserPreferencesMiddleware:
    """Activate the person's language and time zone (after authentication, before the view).

    Anonymous visitors keep what LocaleMiddleware chose (the language cookie or the browser's
    Accept-Language) and the site's time zone.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language in self.languages:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            # The zone is the thread's: a worker thread's next request (or job) must not
            # inherit this person's.
            timezone.deactivate()


class MovedMiddleware:
    """A page or API path that names a moved object (a reclassified ticket's old number) answers
    a permanent redirect to the same path under the new name: 301 for reads, 308 for writes, so
    a client repeats a POST at the new address instead of turning it into a GET."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Moved):
            return None
        pattern = re.compile(rf"/{re.escape(exception.old)}(?=/|$)", re.IGNORECASE)
        location = pattern.sub(f"/{exception.new}", request.get_full_path(), count=1)
        status = 301 if request.method in ("GET", "HEAD") else 308
        return HttpResponseRedirect(location, status=status)
