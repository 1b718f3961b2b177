"""HTTP transport (urllib only): a per-attempt timeout, retries with exponential backoff and
jitter on network errors, 429 (honouring Retry-After) and 5xx, and an automatic Idempotency-Key
on writes that stays the same across the retries of one call, so a retried write never happens
twice."""
from __future__ import annotations

import email.utils
import http.client
import json
import os
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Union

from .errors import APIConnectionError, APIError, APITimeoutError, ClawNexError

VERSION = "0.1.0"
_WRITES = {"POST", "PATCH", "PUT", "DELETE"}

QueryValue = Union[str, int, float, bool, None]


@dataclass
class RetryInfo:
    method: str
    path: str
    retry: int
    """1 for the first retry."""
    delay_seconds: float
    status: Optional[int]
    """HTTP status, or None for a network error or timeout."""
    idempotency_key: Optional[str]


@dataclass
class Response:
    status: int
    headers: Dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None


def retry_after_seconds(headers: Mapping[str, str], now: Optional[float] = None) -> Optional[float]:
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - (now if now is not None else time.time()))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # An API answer is never a redirect; following one could leak the key to another host.
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


class Transport:
    def __init__(
        self,
        base_url: Optional[str] = None,
        api_key: Optional[str] = None,
        *,
        max_retries: int = 2,
        timeout: float = 60.0,
        initial_retry_delay: float = 0.5,
        max_retry_delay: float = 8.0,
        default_headers: Optional[Mapping[str, str]] = None,
        on_retry: Optional[Callable[[RetryInfo], None]] = None,
    ) -> None:
        base_url = base_url or os.environ.get("CLAWNEX_URL")
        api_key = api_key or os.environ.get("CLAWNEX_API_KEY")
        if not base_url:
            raise ClawNexError("no server URL: pass base_url or set CLAWNEX_URL")
        if not api_key:
            raise ClawNexError("no API key: pass api_key or set CLAWNEX_API_KEY")
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.max_retries = max_retries
        self.timeout = timeout
        self.initial_retry_delay = initial_retry_delay
        self.max_retry_delay = max_retry_delay
        self._headers = dict(default_headers or {})
        self._on_retry = on_retry
        self._opener = urllib.request.build_opener(_NoRedirect)

    def url(self, path: str, query: Optional[Mapping[str, Any]] = None) -> str:
        pairs = []
        for name, value in (query or {}).items():
            if value is None:
                continue
            if isinstance(value, (list, tuple)):
                pairs.extend((name, str(v)) for v in value)
            elif isinstance(value, bool):
                pairs.append((name, "true" if value else "false"))
            else:
                pairs.append((name, str(value)))
        return self.base_url + path + ("?" + urllib.parse.urlencode(pairs) if pairs else "")

    def backoff(self, retry: int) -> float:
        """Exponential backoff with jitter: between half and all of min(max, initial * 2**retry)."""
        ceiling = min(self.max_retry_delay, self.initial_retry_delay * (2 ** retry))
        return ceiling / 2 + random.random() * (ceiling / 2)

    def _encode(self, body: Any, headers: Dict[str, str]) -> Optional[bytes]:
        if body is None:
            return None
        if isinstance(body, Multipart):
            headers["content-type"] = body.content_type
            return body.data
        if isinstance(body, bytes):
            return body
        headers["content-type"] = "application/json"
        return json.dumps(body).encode("utf-8")

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        headers: Optional[Mapping[str, str]] = None,
        idempotency_key: Union[str, None, bool] = True,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
    ) -> Response:
        """Sends a request, retrying as described above; returns the 2xx Response or raises.

        idempotency_key: True (default) generates one for writes; a string uses it; None/False sends none.
        """
        sent: Dict[str, str] = {"accept": "application/json", "user-agent": f"clawnex-sdk-python/{VERSION}", **self._headers, **(headers or {})}
        sent["authorization"] = f"Bearer {self._api_key}"
        key: Optional[str] = None
        if method in _WRITES and idempotency_key not in (None, False):
            key = idempotency_key if isinstance(idempotency_key, str) else f"sdk-{uuid.uuid4()}"
            sent["idempotency-key"] = key
        data = self._encode(body, sent)
        url = self.url(path, query)
        retries = self.max_retries if max_retries is None else max_retries
        wait = self.timeout if timeout is None else timeout
        attempt = 0
        while True:
            request = urllib.request.Request(url, data=data, headers=sent, method=method)
            try:
                with self._opener.open(request, timeout=wait) as answer:
                    return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read())
            except urllib.error.HTTPError as err:
                status = err.code
                answer_headers = {k.lower(): v for k, v in (err.headers or {}).items()}
                payload = err.read() if err.fp else b""
                err.close()
                retryable = status in (408, 429) or status >= 500 or (status == 409 and key is not None and "retry-after" in answer_headers)
                if retryable and attempt < retries:
                    asked = retry_after_seconds(answer_headers)
                    self._sleep(method, path, attempt, min(asked, 60.0) if asked is not None else self.backoff(attempt), status, key)
                    attempt += 1
                    continue
                raise APIError.from_response(status, payload, answer_headers) from None
            except (urllib.error.URLError, http.client.HTTPException, ConnectionError, socket.timeout, TimeoutError, OSError) as err:
                reason = getattr(err, "reason", err)
                timed_out = isinstance(reason, (socket.timeout, TimeoutError)) or isinstance(err, (socket.timeout, TimeoutError))
                failure: APIConnectionError = APITimeoutError(f"no response within {wait} s") if timed_out else APIConnectionError(f"could not reach {self.base_url}: {reason}")
                if attempt >= retries:
                    raise failure from err
                self._sleep(method, path, attempt, self.backoff(attempt), None, key)
                attempt += 1

    def _sleep(self, method: str, path: str, attempt: int, delay: float, status: Optional[int], key: Optional[str]) -> None:
        if self._on_retry:
            self._on_retry(RetryInfo(method, path, attempt + 1, delay, status, key))
        time.sleep(delay)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.request(method, path, **kwargs).json()


class Multipart:
    """A multipart/form-data body with one file part."""

    def __init__(self, field: str, filename: str, content: bytes, content_type: str) -> None:
        boundary = f"clawnex-{uuid.uuid4().hex}"
        safe_name = filename.replace('"', "%22").replace("\r", "").replace("\n", "")
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{safe_name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode("utf-8")
        self.data = head + content + f"\r\n--{boundary}--\r\n".encode("ascii")
        self.content_type = f"multipart/form-data; boundary={boundary}"


def split_options(kwargs: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """Separates per-call transport options from API parameters."""
    options = {k: kwargs.pop(k) for k in ("headers", "idempotency_key", "timeout", "max_retries") if k in kwargs}
    return kwargs, options
