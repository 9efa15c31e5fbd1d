"""A signed-in user's JSON list responses, cached until something they show changes.

A list view names the *scopes* its response depends on (say, "the appointments of user 7" and
"the names of patients and providers"). Each scope has a version in the cache: a random token,
dropped by `response_cache_forget` whenever something in the scope changes (model signals, at
once and again when the transaction commits). A response is stored with the versions it was
built under and served only while they are all still current, so one cache round trip answers
a repeated list request: no query, no serializer, no rendering.

Entries are per user, path and query string, so nobody is ever served another person's list,
and only 200 responses are kept (an invalid filter is validated and refused on every request).
Every entry also depends on the user's own scope, forgotten whenever the user changes (a new role
shows a different list; accounts.backends), and on the "release" scope, forgotten by each
`manage.py migrate` (which a deploy runs; see appointments.signals): a new release never serves
JSON shaped by the old one. `response_cache_readahead` lets config.cache_readahead read a cached
response with the signed-in user in one round trip.
"""

import hashlib
import secrets
from collections.abc import Callable, Sequence

from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from config.cache_readahead import cache_get_many, readahead_for_path

# How long a response is kept (changes forget it sooner); versions outlive it.
RESPONSE_CACHE_SECONDS = 300
_VERSION_SECONDS = 24 * 3600
RELEASE_SCOPE = "release"


def _version_key(scope: str) -> str:
    return f"responses:version:{scope}"


def _entry_key(request, user_id) -> str:
    query = sorted((key, value) for key in request.GET for value in request.GET.getlist(key))
    digest = hashlib.sha256(repr((request.path, query)).encode()).hexdigest()[:32]
    return f"responses:{user_id}:{digest}"


def response_user_scope(user_id) -> str:
    """Every cached response of a user: forgotten when the user changes (a new role, say)."""
    return f"user:{user_id}"


def _keys(request, user_id, scopes: Sequence[str]) -> tuple[list[str], str]:
    scopes = (*scopes, response_user_scope(user_id), RELEASE_SCOPE)
    return [_version_key(scope) for scope in scopes], _entry_key(request, user_id)


def response_cache_readahead(url_name: str, scopes_of_user: Callable[[int], Sequence[str]]):
    """Have config.cache_readahead read a signed-in GET of `url_name`'s cached response (and the
    versions it depends on) together with the user, in one round trip."""

    def planner(request, user_id) -> list[str]:
        version_keys, entry_key = _keys(request, user_id, scopes_of_user(user_id))
        return [*version_keys, entry_key]

    readahead_for_path(url_name, planner)


def response_cache_forget(*scopes: str) -> None:
    """Make every cached response of these scopes stale, now and once the transaction commits
    (a request that read the old rows before the commit may have cached them meanwhile)."""
    keys = [_version_key(scope) for scope in scopes]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def _current_versions(keys: list[str], found: dict) -> list[str]:
    missing = [key for key in keys if found.get(key) is None]
    if missing:
        for key in missing:
            cache.add(key, secrets.token_hex(8), _VERSION_SECONDS)
        found = {**found, **cache.get_many(missing)}
    return [found.get(key) for key in keys]


def cached_json_response(
    request, *, scopes: Sequence[str], build: Callable[[], Response]
) -> HttpResponse | Response:
    """`build()`'s response for this user and query, from the cache while `scopes` hold still.

    Call from a DRF view after authentication (`request.user` is known). Responses that are not
    JSON (the browsable API) or not 200 are built every time and never stored.
    """
    if getattr(request, "accepted_media_type", None) != JSONRenderer.media_type:
        return build()  # the browsable API, or JSON with parameters (indent=4)
    version_keys, entry_key = _keys(request, request.user.pk, scopes)
    found = cache_get_many([*version_keys, entry_key])
    entry = found.get(entry_key)
    if entry is not None and all(found.get(key) for key in version_keys):
        versions, body = entry
        if versions == [found[key] for key in version_keys]:
            return HttpResponse(body, content_type="application/json")
    # Read the versions before building: a change while building makes this entry stale.
    versions = _current_versions(version_keys, found)
    response = build()
    if response.status_code != 200 or not isinstance(response, Response):
        return response
    body = JSONRenderer().render(response.data)
    if all(versions):
        cache.set(entry_key, (versions, body), RESPONSE_CACHE_SECONDS)
    return HttpResponse(body, content_type="application/json")
