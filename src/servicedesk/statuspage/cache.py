"""The rendered public page and JSON, cached per language under a version every write bumps.

A statuspage service that changes anything public calls `page_changed()`; the new version is
set once the transaction commits, so no reader caches the old rows under the new version.

`cached_body()` serves a copy built for the current version and younger than PAGE_TIMEOUT. When
the copy is stale (a new version, or older), one request rebuilds it (a short lock in the cache)
while the others keep getting the previous copy, so an outage's crowd arriving right after a
publish costs one rebuild, not one per request. The timeout also bounds how long a per-process
cache (LocMemCache without REDIS_URL) or a change of the clock (maintenance starting, a new day
on the uptime bars) waits.
"""

import hashlib
import time
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "statuspage:version"
#: seconds a rendered page is served before it is rebuilt; also the s-maxage of shared caches
PAGE_TIMEOUT = 30
#: how long a stale copy is kept to serve while another request rebuilds it
STALE_KEEP = 3600
#: a rebuild that takes longer than this (a stuck process) lets another request try
BUILD_LOCK = 30
#: how long a request waits for another's first build of a page before building it itself
FIRST_BUILD_WAIT = 10.0
#: how long this process trusts the version it last read (a write in this process resets it)
VERSION_MEMO = 1.0

# This process's copies: the version read last and when, and the pages it served last. A warm
# request then costs no cache round trip and no unpickling of the page; the version (read again
# after VERSION_MEMO seconds) still decides whether a copy may be served.
_local: dict = {"version": None, "read_at": 0.0, "pages": {}}


def page_version() -> str:
    now = time.monotonic()
    if _local["version"] is not None and now - _local["read_at"] < VERSION_MEMO:
        return _local["version"]
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    _local["version"], _local["read_at"] = version, now
    return version


def _version_bump() -> None:
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, None)
    _local["version"], _local["read_at"] = version, time.monotonic()


def page_changed() -> None:
    transaction.on_commit(_version_bump)


def local_forget() -> None:
    """Drop this process's copies (the cache was cleared under it, e.g. between tests)."""
    _local.update(version=None, read_at=0.0, pages={})


def _fresh(entry, version: str) -> bool:
    return entry is not None and entry[0] == version and time.time() - entry[1] < PAGE_TIMEOUT


def cached_body(name: str, language: str, build: Callable[[], bytes]) -> tuple[str, bytes]:
    """(ETag, body) of page `name` in `language`, built by `build()` when it must be."""
    key = f"statuspage:{name}:{language}"
    version = page_version()
    entry = _local["pages"].get(key)
    if _fresh(entry, version):
        return entry[2], entry[3]
    entry = cache.get(key)
    if _fresh(entry, version):
        _local["pages"][key] = entry
        return entry[2], entry[3]
    lock = f"{key}:building"
    if not cache.add(lock, 1, BUILD_LOCK):
        if entry is not None:
            return entry[2], entry[3]  # another request is rebuilding it: the last copy
        deadline = time.monotonic() + FIRST_BUILD_WAIT
        while time.monotonic() < deadline:
            time.sleep(0.05)
            entry = cache.get(key)
            if entry is not None:
                return entry[2], entry[3]
    try:
        body = build()
        etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
        entry = (version, time.time(), etag, body)
        cache.set(key, entry, STALE_KEEP)
        _local["pages"][key] = entry
    finally:
        cache.delete(lock)
    return etag, body
