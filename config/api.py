"""Shared API pieces: the domain error family, the one error shape, pagination, strict input.

Every API error leaves as {"detail": str, "code": str, "fields": {name: [messages]}}.
Services raise ApplicationError subclasses; the exception handler maps them to HTTP once.
"""

import datetime
import re
import sys
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ApplicationError(Exception):
    """A rule of the domain was broken. Safe to show to the user: never put PHI in `message`."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}


class NotFoundError(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


class ConflictError(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class ForbiddenError(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "permission_denied"


def _as_field_errors(detail) -> dict:
    if isinstance(detail, Mapping):
        fields = {}
        for name, errors in detail.items():
            if isinstance(errors, Mapping):
                errors = [f"{key}: {value}" for key, value in _as_field_errors(errors).items()]
            elif not isinstance(errors, list | tuple):
                errors = [errors]
            fields[name] = [str(error) for error in errors]
        return fields
    if isinstance(detail, list | tuple):
        return {"non_field_errors": [str(error) for error in detail]}
    return {}


def _body(detail: str, code: str, fields: dict | None = None) -> dict:
    return {"detail": detail, "code": code, "fields": fields or {}}


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(_body(exc.message, exc.code, exc.fields), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return Response(_body("Invalid input.", "invalid", fields), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django's 500 handling log it (without the request body)

    if isinstance(exc, exceptions.ValidationError):
        fields = _as_field_errors(exc.detail)
        non_field = fields.get("non_field_errors")
        detail = non_field[0] if non_field and len(fields) == 1 else "Invalid input."
        response.data = _body(detail, "invalid", fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if not isinstance(code, str):
            code = getattr(exc, "default_code", "error")
        response.data = _body(str(detail), code)
    return response


@csrf_exempt  # it changes nothing, and a POST to a wrong address must get the JSON 404, not a CSRF page
def api_not_found(request, *args, **kwargs):
    """An address under an API prefix that no route takes (a malformed id, a typo): the JSON 404,
    not Django's HTML page, so that clients always get the one error shape."""
    detail = "Not found."
    if not request.path.endswith("/"):
        try:
            slashed = resolve(request.path + "/").func is not api_not_found
        except Resolver404:
            slashed = False
        if slashed:
            detail = "Not found. API addresses end with a slash."
    return JsonResponse(_body(detail, "not_found"), status=404)


def _whole_number(raw: str, *, name: str) -> int:
    # Any length: a page past the end is a 404 and a large page_size is lowered, not an error.
    try:
        number = int(raw) if re.fullmatch(r"[0-9]+", raw) else 0
    except ValueError:  # more digits than int() converts
        number = sys.maxsize
    if number < 1:
        raise exceptions.ValidationError({name: ["A whole number, 1 or more."]})
    return number


class Pagination(PageNumberPagination):
    """page and page_size are whole numbers from 1 (else 400, where DRF would silently fall back to
    the defaults); page_size above the maximum is lowered to it; a page past the end is a 404."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return min(_whole_number(raw, name=self.page_size_query_param), self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        return _whole_number(raw, name=self.page_query_param)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page (default {self.page_size}; "
                    f"more than {self.max_page_size} is lowered to {self.max_page_size})."
                )
        return parameters


class InputSerializer(serializers.Serializer):
    """Input serializers check shape only, and reject fields they do not know."""

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            raise exceptions.ValidationError(
                {"non_field_errors": ["Expected a JSON object."]}, code="invalid"
            )
        writable = {name for name, field in self.fields.items() if not field.read_only}
        unknown = sorted(set(data) - writable)
        if unknown:
            raise exceptions.ValidationError({name: ["Unknown field."] for name in unknown})
        # DRF's CharField turns 0 or 1.5 into "0" and "1.5": a wrong type is an error here.
        not_text = sorted(
            name
            for name, field in self.fields.items()
            if isinstance(field, serializers.CharField)
            and name in data
            and data[name] is not None
            and not isinstance(data[name], str)
        )
        if not_text:
            raise exceptions.ValidationError({name: ["Not a valid string."] for name in not_text})
        return super().to_internal_value(data)


# The years a visit, a waitlist or a slot search may name: far enough from datetime's limits (years
# 1 and 9999) that adding a visit's length, padding a range or changing zone never overflows.
SCHEDULABLE_YEARS = (1900, 2199)


def is_schedulable(value: datetime.date) -> bool:
    """A date or a datetime given by a client is within SCHEDULABLE_YEARS."""
    first, last = SCHEDULABLE_YEARS
    return first <= value.year <= last


def validate_schedulable(value: datetime.date) -> None:
    """is_schedulable as a validator, for a Django form, filter or DRF serializer field."""
    if not is_schedulable(value):
        first, last = SCHEDULABLE_YEARS
        raise DjangoValidationError(f"Must be in the years {first} to {last}.", code="out_of_range")


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time that says its UTC offset: a bare local time is ambiguous."""

    default_error_messages = {
        "naive": "Give the time with its UTC offset, e.g. 2026-03-02T14:00:00Z.",
    }

    def to_internal_value(self, value):
        result = super().to_internal_value(value)
        if isinstance(value, str) and parse_datetime(value.strip()).tzinfo is None:
            self.fail("naive")
        return result


class ErrorSerializer(serializers.Serializer):
    """The error body every endpoint may return (for the OpenAPI schema)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
