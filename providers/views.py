from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import Role


@role_required(Role.PROVIDER)
def home(request):
    """Placeholder provider portal home (replaced by the provider portal work)."""
    return render(request, "providers/home.html")
