"""API token authentication with the token's owner cached for a short while.

DRF's TokenAuthentication reads the token and its user from the database on every request, and
every permission check then reads the person's support groups: about a millisecond of ORM work
before a view starts. Here the user, with their groups, is kept in the cache under a hash of the
token (never the token itself) for TOKEN_CACHE_SECONDS.

The entries carry the current "people version": any write to a person, a token, a support group
or a group's members drops that version, and with it every cached owner, at once in the cache of
the process that made the change and in every process when the cache is shared (REDIS_URL). A
per-process cache elsewhere keeps its copy no longer than the timeout.
"""

import hashlib
import uuid

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from servicedesk.accounts.models import SupportGroup, User
from servicedesk.accounts.permissions import group_ids_of
from servicedesk.core.caches import people_changed, reference_key

TOKEN_CACHE_SECONDS = 30
# Cached token owners are valid only under this version; any change to people drops it.
PEOPLE_VERSION_KEY = reference_key("accounts:people-version", people=True)


def _people_version() -> str:
    version = cache.get(PEOPLE_VERSION_KEY)
    if version is None:
        cache.add(PEOPLE_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(PEOPLE_VERSION_KEY)
    return version


def _cache_key(token_key: str, version: str) -> str:
    return f"auth:token:{version}:{hashlib.sha256(token_key.encode()).hexdigest()}"


class CachedTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's, with the owner cached (see the module's doc)."""

    def authenticate_credentials(self, key):
        cache_key = _cache_key(key, _people_version())
        user = cache.get(cache_key)
        if user is not None:
            return user, key
        user, _token = super().authenticate_credentials(key)  # 401 for unknown or inactive
        group_ids_of(user)  # kept on the user object, so cached with it
        # The password hash stays out of the cache: a deferred field, read from the database if
        # ever needed and left out of any save().
        user.__dict__.pop("password", None)
        cache.set(cache_key, user, TOKEN_CACHE_SECONDS)
        return user, key


def _changed(**kwargs) -> None:
    people_changed()


def _user_saved(update_fields=None, **kwargs) -> None:
    if update_fields == frozenset({"last_login"}):  # every sign-in; nothing a token depends on
        return
    people_changed()


def connect_signals() -> None:
    """Cache invalidation only (see docs/architecture.md, "Signals")."""
    post_save.connect(_user_saved, sender=User, dispatch_uid="people-user-saved")
    post_delete.connect(_changed, sender=User, dispatch_uid="people-user-deleted")
    post_save.connect(_changed, sender=Token, dispatch_uid="people-token-saved")
    post_delete.connect(_changed, sender=Token, dispatch_uid="people-token-deleted")
    m2m_changed.connect(
        _changed, sender=SupportGroup.members.through, dispatch_uid="people-members-changed"
    )
