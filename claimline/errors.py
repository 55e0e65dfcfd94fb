"""Domain errors.

Services raise these; ``claimline.web`` turns every one of them into the single API error
shape ``{"error": {"code": ..., "message": ..., "field": ...}}``. Messages are Simplified
Chinese because they are shown to people; codes are stable machine identifiers.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service may raise on purpose."""

    status_code: int = 400
    default_code: str = "bad_request"

    def __init__(
        self, message: str, *, code: str | None = None, field: str | None = None, keep_changes: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field
        # The transaction commits despite the error (e.g. a failed login's counter and audit record).
        self.keep_changes = keep_changes


class ValidationFailed(DomainError):
    """Input that breaks a rule (wrong format, impossible combination)."""

    status_code = 422
    default_code = "validation_error"


class NotFound(DomainError):
    status_code = 404
    default_code = "not_found"


class Conflict(DomainError):
    status_code = 409
    default_code = "conflict"


class AuthenticationRequired(DomainError):
    status_code = 401
    default_code = "authentication_required"


class PermissionDenied(DomainError):
    status_code = 403
    default_code = "permission_denied"


class TooManyRequests(DomainError):
    status_code = 429
    default_code = "too_many_requests"
