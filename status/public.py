"""Public status responses must not depend on the visitor's session (it lives in PostgreSQL and Redis)."""

from __future__ import annotations

from functools import wraps

from django.conf import settings


class DetachedSession:
    """Stands in for a signed-in visitor's session on the public status pages.

    A loaded session reads PostgreSQL (or Redis), and SessionIdleTimeoutMiddleware re-saves one that was read,
    so the status page would fail exactly when those are down. This stand-in is never loaded or saved, never
    extends the idle timeout, and keeps the visitor's cookie as it is. An anonymous visitor (no cookie) gets an
    empty one, so no cookie is set.
    """

    accessed = False
    modified = False

    def __init__(self, session_key: str | None) -> None:
        self.session_key = session_key

    def is_empty(self) -> bool:
        return self.session_key is None

    def get_expire_at_browser_close(self) -> bool:
        return True

    def save(self, must_create: bool = False) -> None:
        return None


def detached_session(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.session = DetachedSession(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
        return view(request, *args, **kwargs)

    return wrapper
