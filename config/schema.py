"""The OpenAPI schema class: publishes for every operation what config/api.py does for all of them.

Kept apart from config/api.py so that importing the API pieces never imports drf-spectacular.
"""

from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny

from config.api import ErrorSerializer, InputSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input (see `fields`), or a rule was broken (see `code`).",
    "401": "Not signed in.",
    "403": "Not allowed (for example `mfa_required`, or the wrong role).",
    "404": "Unknown, not yours, or a page past the end.",
}


class AutoSchema(openapi.AutoSchema):
    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(force_instance(serializer), InputSerializer):
            schema["additionalProperties"] = False  # InputSerializer answers 400 "Unknown field."
        return schema

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._error_codes(operation):
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]), code
                )
        return operation

    def _error_codes(self, operation) -> list[str]:
        """The errors the shared machinery can answer, whatever the view declared."""
        parameters = operation.get("parameters", [])
        where = {parameter["in"] for parameter in parameters}
        names = {parameter["name"] for parameter in parameters if parameter["in"] == "query"}
        codes = []
        if "requestBody" in operation or "query" in where:
            codes.append("400")
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes += ["401", "403"]
        if "path" in where or "page" in names:
            codes.append("404")
        return codes
