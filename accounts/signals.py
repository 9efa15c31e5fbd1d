"""Audit receivers for sign-in, sign-out, password and MFA events. Each only calls audit_event.

Never put passwords, codes or health data in `details`.
"""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals

from accounts import audit


def on_logged_in(sender, request, user, **kwargs):
    audit.audit_event("auth.login", actor=user, subject=user, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # The typed identifier is kept only as the account it names: people type their password
    # into the email field, and that text must never reach the audit trail.
    from accounts.models import User

    identifier = str(credentials.get("email") or credentials.get("username") or "").strip()
    account = User.objects.filter(email__iexact=identifier).first() if identifier else None
    audit.audit_event(
        "auth.login_failed",
        subject=account,
        request=request,
        details={"account_known": account is not None},
    )


def on_logged_out(sender, request, user, **kwargs):
    audit.audit_event("auth.logout", actor=user, subject=user, request=request)


def on_signed_up(sender, request, user, **kwargs):
    audit.audit_event("user.signed_up", actor=user, subject=user, request=request)


def on_password_changed(sender, request, user, **kwargs):
    audit.audit_event("auth.password_changed", actor=user, subject=user, request=request)


def on_password_reset(sender, request, user, **kwargs):
    audit.audit_event("auth.password_reset", actor=user, subject=user, request=request)


def _mfa_receiver(action):
    def receiver(sender, request, user, authenticator, **kwargs):
        audit.audit_event(
            action, actor=user, subject=user, request=request, details={"type": authenticator.type}
        )

    return receiver


on_authenticator_added = _mfa_receiver("mfa.added")
on_authenticator_removed = _mfa_receiver("mfa.removed")
on_authenticator_reset = _mfa_receiver("mfa.reset")
on_mfa_failed = _mfa_receiver("auth.mfa_failed")


def connect() -> None:
    auth_signals.user_logged_in.connect(on_logged_in, dispatch_uid="audit-login")
    auth_signals.user_login_failed.connect(on_login_failed, dispatch_uid="audit-login-failed")
    auth_signals.user_logged_out.connect(on_logged_out, dispatch_uid="audit-logout")
    account_signals.user_signed_up.connect(on_signed_up, dispatch_uid="audit-signup")
    account_signals.password_changed.connect(on_password_changed, dispatch_uid="audit-pw-change")
    account_signals.password_set.connect(on_password_changed, dispatch_uid="audit-pw-set")
    account_signals.password_reset.connect(on_password_reset, dispatch_uid="audit-pw-reset")
    mfa_signals.authenticator_added.connect(on_authenticator_added, dispatch_uid="audit-mfa-add")
    mfa_signals.authenticator_removed.connect(on_authenticator_removed, dispatch_uid="audit-mfa-rm")
    mfa_signals.authenticator_reset.connect(on_authenticator_reset, dispatch_uid="audit-mfa-reset")
    mfa_signals.authentication_failed.connect(on_mfa_failed, dispatch_uid="audit-mfa-failed")
