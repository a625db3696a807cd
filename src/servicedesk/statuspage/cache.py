"""The rendered public page and JSON, cached per language under a version every write bumps.

A statuspage service that changes anything public calls `page_changed()`; the new version is
set once the transaction commits, so no reader caches the old rows under the new version. The
timeout bounds how long a per-process cache (LocMemCache without REDIS_URL) or a time-driven
change (a maintenance window starting, a new day on the uptime bars) waits.
"""

import uuid

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "statuspage:version"
#: seconds a rendered page is kept; also its public max-age
PAGE_TIMEOUT = 30


def page_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY) or version
    return version


def page_key(name: str, language: str, version: str | None = None) -> str:
    return f"statuspage:{name}:{language}:{version or page_version()}"


def page_changed() -> None:
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, None))
