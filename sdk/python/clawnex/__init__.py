"""ClawNex API client (standard library only): ``Client``, ``AsyncClient``, typed errors and a
webhook signature verifier."""
from ._transport import RetryInfo
from .async_client import AsyncClient
from .client import Client, Sandbox
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClawNexError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    WebhookVerificationError,
)
from .pagination import AsyncPager, Pager
from .webhooks import verify_clawnex_signature, verify_webhook

__version__ = "0.1.0"

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncPager",
    "AuthenticationError",
    "BadRequestError",
    "ClawNexError",
    "Client",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "Pager",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryInfo",
    "Sandbox",
    "UnprocessableEntityError",
    "WebhookVerificationError",
    "verify_clawnex_signature",
    "verify_webhook",
]
