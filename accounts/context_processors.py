from django.conf import settings


def portal(request):
    """What base.html needs for role-aware navigation."""
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user is not None and user.is_authenticated else None
    return {"site_name": settings.SITE_NAME, "user_role": role}
