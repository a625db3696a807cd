"""API plumbing shared by every app: error shape, ETags, idempotent creates."""

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from servicedesk.core.errors import ServiceError
from servicedesk.core.models import IdempotencyRecord


def exception_handler(exc, context):
    """Every error is {"detail": ..., "code": ..., "errors": {field: [reasons]}}."""
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


def etag_for(obj_id: int, version: int) -> str:
    return f'"{obj_id}-{version}"'


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
    if len(key) > 200:
        raise exceptions.ValidationError({"Idempotency-Key": ["At most 200 characters."]})
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
