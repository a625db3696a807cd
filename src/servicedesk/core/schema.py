"""The API's OpenAPI description: every status an operation can answer, decided in one place.

drf-spectacular documents the success response of each view and nothing else. The errors follow
from what an operation is, so they are added here from its method and traits rather than
repeated on every view: any authenticated operation can be a 401; a path naming an object by a
parameter can be a 404 (and, by a ticket's number, a redirect when it was renumbered); a read with
query parameters a 400; a write a 400, 403 (a CSRF failure for a signed-in browser; a role
refused on an object), 413 and 415; a PATCH a 412 and 428 (the ETag); a create that takes an
`Idempotency-Key` a 409 and 422. A view whose service can answer more says so with
`extend_schema(responses={…: error_response("…")})` (a 409 from the ticket's state, a 304).

No 429: the API has no throttling, so it never answers one.
"""

from django.conf import settings
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated

from servicedesk.core.api import AnyAcceptNegotiation
from servicedesk.core.fields import EARLIEST_YEAR, LATEST_YEAR, MAX_ID
from servicedesk.core.parsers import MAX_DEPTH

MB = 1024 * 1024
WRITES = ("POST", "PUT", "PATCH")


class ErrorSerializer(serializers.Serializer):
    """Every error the API answers has this shape (core.api.exception_handler)."""

    detail = serializers.CharField(help_text="Every reason, in one sentence.")
    code = serializers.CharField(
        help_text="What went wrong, for a program: invalid, parse_error, not_found, "
        "permission_denied, transition_not_allowed, stale, too_large, …"
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="{field: [reasons]}, naming each field, query parameter or header at fault "
        "(nested fields as dotted paths: answers.7); empty when none is.",
    )


def error_response(description: str) -> OpenApiResponse:
    """An error response of one view, for `extend_schema(responses=…)`: the `Error` shape."""
    return OpenApiResponse(response=ErrorSerializer, description=description)


def _text_rules() -> str:
    return (
        "Text may not contain a NUL character; ids are whole numbers from 1 to "
        f"{MAX_ID}; dates fall in the years {EARLIEST_YEAR}–{LATEST_YEAR}."
    )


class ServiceDeskAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, with the error responses each operation can give."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for status, response in self._error_responses(operation).items():
            responses.setdefault(status, response)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _takes_files(self) -> bool:
        """Whether the request body has a file field (or a list of them)."""
        fields = getattr(force_instance(self.get_request_serializer()), "fields", {})
        return any(
            isinstance(field, serializers.FileField)
            or isinstance(getattr(field, "child", None), serializers.FileField)
            for field in fields.values()
        )

    def _error(self, description: str) -> dict:
        ref = self.resolve_serializer(ErrorSerializer, "response").ref
        return {"description": description, "content": {"application/json": {"schema": ref}}}

    def _error_responses(self, operation: dict) -> dict[str, dict]:
        """{status: response} for the errors this operation can answer, from its traits."""
        view = self.view
        parameters = operation.get("parameters", [])
        in_path = [p["name"] for p in parameters if p["in"] == "path"]
        in_query = [p["name"] for p in parameters if p["in"] == "query"]
        headers = {p["name"] for p in parameters if p["in"] == "header"}
        write = self.method in WRITES
        body = operation.get("requestBody", {}).get("content", {})
        uploads = write and self._takes_files()
        refusing = [
            p for p in view.permission_classes if not issubclass(p, (AllowAny, IsAuthenticated))
        ]
        errors: dict[str, dict] = {}

        if write:
            errors["400"] = self._error(
                "Invalid input: `errors` names each field and its reason. Also a body that is "
                "not valid JSON, not a JSON object, or nested deeper than "
                f"{MAX_DEPTH} levels (code parse_error, errors.body), and a form with more than "
                f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields or "
                f"{settings.DATA_UPLOAD_MAX_NUMBER_FILES} files. " + _text_rules()
            )
        elif in_query:
            errors["400"] = self._error(
                "A query parameter named with a value it cannot take (empty, malformed or out "
                "of range): `errors` names it. " + _text_rules()
            )
        if view.authentication_classes:
            errors["401"] = self._error(
                "No credentials, or a token that is not valid (Authorization: Token <key>)."
            )
        forbidden = []
        if refusing:
            forbidden.append("your role may not use this endpoint")
        if write and in_path:
            forbidden.append("you may see the object but not do this to it")
        if write and any(issubclass(a, SessionAuthentication) for a in view.authentication_classes):
            forbidden.append("a signed-in browser session sent no valid CSRF token")
        if forbidden:
            errors["403"] = self._error("Refused: " + "; or ".join(forbidden) + ".")
        if in_path:
            errors["404"] = self._error(
                "No such object, or one you may not see (never a 403 for that)."
            )
        if not issubclass(view.content_negotiation_class, AnyAcceptNegotiation):
            errors["406"] = self._error("The Accept header asks for something other than JSON.")
        if write and self.method == "PATCH":
            errors["412"] = self._error(
                "If-Match does not match the object's current ETag: someone changed it since "
                "you read it; read it again."
            )
            errors["428"] = self._error("The If-Match header, with the object's ETag, is missing.")
        if write and "Idempotency-Key" in headers:
            errors["409"] = self._error(
                "A request with this Idempotency-Key is still being processed."
            )
            errors["422"] = self._error(
                "This Idempotency-Key was already used with a different body."
            )
        if write:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            too_large = (
                f"The body, without its files, is larger than {limit / MB:g} MB (errors.body)"
            )
            if uploads:
                files = settings.SERVICEDESK_MAX_ATTACHMENT_BYTES
                too_large += f"; or an upload is larger than {files / MB:g} MB (errors.files)"
            errors["413"] = self._error(too_large + ".")
            errors["415"] = self._error(
                "The body's Content-Type is not one this operation reads: "
                + ", ".join(body or ["application/json"])
                + "."
            )
        if "number" in in_path:
            moved = "301" if self.method in ("GET", "HEAD") else "308"
            errors[moved] = {
                "description": "The ticket was reclassified and has a new number: the same path "
                "under it is in Location"
                + (" (308: repeat the request there)." if moved == "308" else "."),
                "headers": {"Location": {"schema": {"type": "string"}}},
            }
        return errors
