"""API plumbing shared by every app: error shape, ETags, idempotent creates."""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import IntegrityError, transaction
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from servicedesk.core.errors import ServiceError
from servicedesk.core.models import IdempotencyRecord

MB = 1024 * 1024
#: The longest Idempotency-Key kept (the column's length).
IDEMPOTENCY_KEY_MAX_LENGTH = 200


class RequestTooLarge(exceptions.APIException):
    """A body past DATA_UPLOAD_MAX_MEMORY_SIZE: a 413, so a client knows not to retry it as is."""

    status_code = 413
    default_detail = "The request body is too large."
    default_code = "too_large"


class TooManyParts(exceptions.APIException):
    """A form past DATA_UPLOAD_MAX_NUMBER_FIELDS or _FILES: the body is wrong, not too big."""

    status_code = 400
    default_detail = "The request has too many fields or files."
    default_code = "too_many_parts"


def _size(*, limit: int) -> str:
    """A byte limit as people set it: 5 MB, or 512 KB below a megabyte."""
    return f"{limit / MB:g} MB" if limit >= MB else f"{limit / 1024:g} KB"


def _request_limit_error(exc) -> exceptions.APIException | None:
    """Django's request limits, which it raises as SuspiciousOperation (an HTML 400 page), as
    API errors naming the limit. Reading the body of a JSON or form request, or parsing a
    multipart one, raises them inside the view, so they reach this handler."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return RequestTooLarge(
            {"body": [f"The request body is larger than the limit of {_size(limit=limit)}."]}
        )
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return TooManyParts({"body": [f"The request has more than the limit of {limit} fields."]})
    if isinstance(exc, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return TooManyParts({"files": [f"The request has more than the limit of {limit} files."]})
    return None


def exception_handler(exc, context):
    """Every error is {"detail": ..., "code": ..., "errors": {field: [reasons]}}."""
    exc = _request_limit_error(exc) or exc
    if isinstance(exc, ServiceError):
        return Response(
            {"detail": exc.message, "code": exc.code, "errors": exc.errors},
            status=exc.status_code,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    # Any error raised with {field: [reasons]} (a 413 naming the upload, too), not only a 400.
    if isinstance(exc, exceptions.ValidationError) or (
        isinstance(data, dict) and "detail" not in data
    ):
        errors = _field_errors(data if isinstance(data, dict) else {"non_field_errors": data})
        summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        code = "invalid" if isinstance(exc, exceptions.ValidationError) else exc.default_code
        response.data = {"detail": summary, "code": code, "errors": errors}
    elif isinstance(exc, exceptions.ParseError):
        response.data = {
            "detail": str(exc.detail),
            "code": "parse_error",
            "errors": {"body": [str(exc.detail)]},
        }
    elif isinstance(data, dict) and "detail" in data:
        response.data = {
            "detail": str(data["detail"]),
            "code": getattr(data["detail"], "code", "error"),
            "errors": {},
        }
    return response


def page_not_found(request, exception=None):
    """The 404 for a path no route matches: the error shape under /api/, where clients read JSON,
    and the site's HTML page elsewhere.

    A handler rather than a catch-all route: a catch-all would match /api/tickets too, and so
    stop CommonMiddleware from redirecting it to /api/tickets/.
    """
    if request.path_info.startswith("/api/"):
        detail = str(exceptions.NotFound.default_detail)
        return JsonResponse({"detail": detail, "code": "not_found", "errors": {}}, status=404)
    return defaults.page_not_found(request, exception)


def _field_errors(data, path: str = "") -> dict[str, list[str]]:
    """Nested errors as flat field paths: {"answers": {"7": ["…"]}} → {"answers.7": ["…"]}."""
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list | tuple) and any(isinstance(v, dict | list | tuple) for v in data):
        items = ((i, v) for i, v in enumerate(data) if v)  # a list of items, one per index
    else:
        return {path: [str(v) for v in (data if isinstance(data, list | tuple) else [data])]}
    errors: dict[str, list[str]] = {}
    for key, value in items:
        errors |= _field_errors(value, f"{path}.{key}" if path else str(key))
    return errors


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "The If-Match header with the object's ETag is required."
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = "The object was changed since you read it; fetch it again."
    default_code = "stale"


def require_if_match(request, obj_id: int) -> int:
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired({"If-Match": [PreconditionRequired.default_detail]})
    return _parse_etag(header, obj_id)


def _parse_etag(header: str, obj_id: int) -> int:
    tag = header.strip().removeprefix("W/").strip('"')
    try:
        tag_id, tag_version = tag.split("-")
        if int(tag_id) != obj_id:
            raise ValueError
        return int(tag_version)
    except ValueError:
        raise PreconditionFailed(
            {"If-Match": ["If-Match does not match this object's ETag."]}
        ) from None


class IdempotencyKeyReused(exceptions.APIException):
    status_code = 422
    default_detail = "This Idempotency-Key was already used with a different request body."
    default_code = "idempotency_key_reused"


class IdempotencyInFlight(exceptions.APIException):
    status_code = 409
    default_detail = "A request with this Idempotency-Key is still being processed."
    default_code = "idempotency_in_flight"


def idempotent_create(request, create):
    """Run `create()` (returning a Response) at most once per (user, Idempotency-Key).

    The key is claimed in the same transaction as the create, so a crash leaves neither; a retry
    with the same body gets the first response, with another body a 422.
    """
    key = request.headers.get("Idempotency-Key")
    if not key:
        return create()
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise exceptions.ValidationError(
            {"Idempotency-Key": [f"At most {IDEMPOTENCY_KEY_MAX_LENGTH} characters."]}
        )
    if not key.isprintable():
        # A NUL cannot be stored in PostgreSQL (a 500), and no client means a control character.
        raise exceptions.ValidationError(
            {"Idempotency-Key": ["Printable characters only, no control characters."]}
        )
    fingerprint = hashlib.sha256(
        json.dumps(request.data, sort_keys=True, default=str).encode() + request.path.encode()
    ).hexdigest()
    existing = _stored_response(request.user, key, fingerprint)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user=request.user, key=key, fingerprint=fingerprint
            )
            response = create()
            if response.status_code >= 400:
                transaction.set_rollback(True)
                return response
            record.status_code = response.status_code
            record.response_body = response.data
            record.save(update_fields=["status_code", "response_body"])
            return response
    except IntegrityError:
        existing = _stored_response(request.user, key, fingerprint)
        if existing is None:
            raise IdempotencyInFlight() from None
        return existing


def _stored_response(user, key: str, fingerprint: str):
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    if record.status_code is None:
        raise IdempotencyInFlight()
    response = Response(record.response_body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


class AnyAcceptNegotiation(DefaultContentNegotiation):
    """For a view whose success is not rendered (a file download): whatever the Accept header
    asks for, errors are JSON, the first renderer's.

    DRF's negotiation would refuse `Accept: application/octet-stream`, the very thing a client
    downloading a file may send, with a 406 before the view runs.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
