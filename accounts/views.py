from django.shortcuts import redirect


def home(request):
    """Send each role to its portal; anonymous visitors to the sign-in page."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    return redirect(request.user.portal_url)
