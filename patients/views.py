from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import Role


@role_required(Role.PATIENT)
def home(request):
    """Placeholder patient portal home (replaced by the patient portal work)."""
    return render(request, "patients/home.html")
