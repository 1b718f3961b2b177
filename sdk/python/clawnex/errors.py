"""Typed errors: every API error carries the server's machine code, the HTTP status and the
request id to quote when reporting it; subclasses let callers catch one kind."""
from __future__ import annotations

import json
from typing import Any, Dict, Mapping, Optional, Type


class ClawNexError(Exception):
    """Base of every error raised by this package."""


class APIError(ClawNexError):
    def __init__(self, status: int, code: str, message: str, request_id: Optional[str], details: Any, headers: Mapping[str, str]) -> None:
        super().__init__(f"{status} {code}: {message}" + (f" (request {request_id})" if request_id else ""))
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.details = details
        self.headers: Dict[str, str] = {k.lower(): v for k, v in headers.items()}

    @staticmethod
    def from_response(status: int, body: bytes, headers: Mapping[str, str]) -> "APIError":
        lowered = {k.lower(): v for k, v in headers.items()}
        error: Dict[str, Any] = {}
        text = body.decode("utf-8", errors="replace")
        try:
            parsed = json.loads(text) if text else None
            if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
                error = parsed["error"]
        except ValueError:
            pass
        code = error.get("code") if isinstance(error.get("code"), str) else f"http_{status}"
        message = error.get("message") if isinstance(error.get("message"), str) else (text[:200] or "request failed")
        request_id = error.get("request_id") if isinstance(error.get("request_id"), str) else lowered.get("x-request-id")
        kind: Type[APIError] = _BY_STATUS.get(status, InternalServerError if status >= 500 else APIError)
        return kind(status, str(code), str(message), request_id, error.get("details"), lowered)


class BadRequestError(APIError):
    pass


class AuthenticationError(APIError):
    pass


class PermissionDeniedError(APIError):
    pass


class NotFoundError(APIError):
    pass


class ConflictError(APIError):
    """409: a state conflict, or the same Idempotency-Key still in progress."""


class PayloadTooLargeError(APIError):
    pass


class UnprocessableEntityError(APIError):
    """422: includes ``idempotency_conflict`` (same key, different request)."""


class RateLimitError(APIError):
    @property
    def retry_after_seconds(self) -> Optional[float]:
        try:
            return float(self.headers["retry-after"])
        except (KeyError, ValueError):
            return None


class InternalServerError(APIError):
    pass


class APIConnectionError(ClawNexError):
    """The request got no HTTP answer (connection refused, reset, DNS, ...)."""


class APITimeoutError(APIConnectionError):
    """No answer within the client's timeout."""


class WebhookVerificationError(ClawNexError):
    """A webhook delivery failed signature or timestamp verification."""


_BY_STATUS: Dict[int, Type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}
