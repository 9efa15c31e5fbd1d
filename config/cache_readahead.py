"""Read the cache keys a signed-in request will need in one round trip, once its session is known.

A cached list request reads its session, then its user (accounts.backends), then the response
and the versions it depends on (config.response_cache): three round trips to the cache, one
after the other, as each key follows from the one before. Once the session names the user, the
other keys are all known, so `ReadaheadMiddleware` reads them together and the readers take
their values from here (`cache_get`, `cache_get_many`), reading the cache themselves for any key
not read ahead. The values are those of a moment earlier in the same request: nothing is kept
past it.

Apps register what to read: `readahead_for_user(keys_of_user)` for every request that reads ahead
(the user's snapshot), `readahead_for_path(url_name, keys_of_request)` for the paths worth it.
Other paths (health checks, the status page) are passed through without loading the session.
"""

from collections.abc import Callable
from contextvars import ContextVar
from functools import cache as memoize

from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse

_values: ContextVar[dict | None] = ContextVar("cache_readahead", default=None)
_user_planners: list[Callable[[int], list[str]]] = []
_path_planners: dict[str, Callable] = {}  # url name -> planner(request, user_id) -> keys


def readahead_for_user(planner: Callable[[int], list[str]]) -> None:
    """`planner(user_id)` names keys every read-ahead request of that user reads."""
    _user_planners.append(planner)


def readahead_for_path(url_name: str, planner: Callable) -> None:
    """`planner(request, user_id)` names the keys a signed-in GET of `url_name` reads."""
    _path_planners[url_name] = planner


@memoize
def _paths() -> dict[str, Callable]:
    paths = {}
    for url_name, planner in _path_planners.items():
        try:
            paths[reverse(url_name)] = planner
        except NoReverseMatch:  # an app registered a name the URLconf does not have
            continue
    return paths


def cache_get(key: str):
    """The cache's value for `key`, read ahead in this request if it was."""
    values = _values.get()
    if values is not None and key in values:
        return values[key]
    return cache.get(key)


def cache_get_many(keys: list[str]) -> dict:
    """As `cache.get_many`: the keys found, read ahead in this request if they all were."""
    values = _values.get()
    if values is not None and all(key in values for key in keys):
        return {key: values[key] for key in keys if values[key] is not None}
    return cache.get_many(keys)


class ReadaheadMiddleware:
    """After SessionMiddleware: one cache round trip for what the request will read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        keys = self._plan(request)
        if not keys:
            return self.get_response(request)
        found = cache.get_many(keys)
        token = _values.set({key: found.get(key) for key in keys})
        try:
            return self.get_response(request)
        finally:
            _values.reset(token)

    def _plan(self, request) -> list[str]:
        # The path first: other paths must not load the session (health checks answer while
        # the database is down).
        if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
            return []
        planner = _paths().get(request.path)
        if planner is None:
            return []
        session_user = request.session.get(SESSION_KEY)
        if session_user is None:
            return []
        try:  # as django.contrib.auth reads it
            user_id = get_user_model()._meta.pk.to_python(session_user)
        except ValidationError:
            return []
        keys = [key for plan in _user_planners for key in plan(user_id)]
        return keys + planner(request, user_id)
