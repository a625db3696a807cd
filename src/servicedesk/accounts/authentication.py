"""API token authentication with the token's owner cached for a short while.

DRF's TokenAuthentication reads the token and its user from the database on every request: about
half a millisecond of ORM work before a view starts. Here the user is kept in the cache under a
hash of the token (never the token itself) for TOKEN_CACHE_SECONDS. Deleting a token, and saving
or deleting its user (deactivation, a new role), drop the entry at once in the cache of the process
that made the change, and in every process when the cache is shared (REDIS_URL); a per-process
cache elsewhere keeps its copy no longer than the timeout.
"""

import hashlib

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from servicedesk.accounts.models import User

TOKEN_CACHE_SECONDS = 30


def _cache_key(token_key: str) -> str:
    return "auth:token:" + hashlib.sha256(token_key.encode()).hexdigest()


class CachedTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's, with the owner cached (see the module's doc)."""

    def authenticate_credentials(self, key):
        cache_key = _cache_key(key)
        user = cache.get(cache_key)
        if user is not None:
            return user, key
        user, _token = super().authenticate_credentials(key)  # 401 for unknown or inactive
        cache.set(cache_key, user, TOKEN_CACHE_SECONDS)
        return user, key


def token_cache_forget(*, user_id: int) -> None:
    """Drop the cached owner of every token of this person."""
    keys = Token.objects.filter(user_id=user_id).values_list("key", flat=True)
    cache.delete_many([_cache_key(key) for key in keys])


def _token_deleted(sender, instance: Token, **kwargs) -> None:
    cache.delete(_cache_key(instance.key))


def _user_changed(sender, instance: User, **kwargs) -> None:
    token_cache_forget(user_id=instance.pk)


def connect_signals() -> None:
    """Cache invalidation only (see docs/architecture.md, "Signals")."""
    post_delete.connect(_token_deleted, sender=Token, dispatch_uid="auth-token-deleted")
    # Deleting a person cascades to their tokens, which sends post_delete for each.
    post_save.connect(_user_changed, sender=User, dispatch_uid="auth-user-saved")
