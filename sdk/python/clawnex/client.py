"""The synchronous ClawNex client: one object per server and key, with a resource per API area.
The sandbox mirror (/api/v1/sandbox/...) has the same resources on isolated data."""
from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

from ._transport import RetryInfo, Transport
from .resources import Agents, Costs, Files, Shield, Tasks, Traffic, Webhooks

API = "/api/v1"


class Sandbox:
    def __init__(self, transport: Transport) -> None:
        prefix = f"{API}/sandbox"
        self.agents = Agents(transport, prefix)
        self.tasks = Tasks(transport, prefix)
        self.files = Files(transport, prefix)
        self.webhooks = Webhooks(transport, prefix)


class Client:
    """ClawNex API client.

    base_url and api_key default to the CLAWNEX_URL and CLAWNEX_API_KEY environment variables.
    Writes carry an automatic Idempotency-Key, reused across retries; network errors, 429 and 5xx
    are retried (max_retries) with exponential backoff and jitter, honouring Retry-After.
    """

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
        self._transport = Transport(
            base_url,
            api_key,
            max_retries=max_retries,
            timeout=timeout,
            initial_retry_delay=initial_retry_delay,
            max_retry_delay=max_retry_delay,
            default_headers=default_headers,
            on_retry=on_retry,
        )
        self.shield = Shield(self._transport, API)
        self.agents = Agents(self._transport, API)
        self.tasks = Tasks(self._transport, API)
        self.files = Files(self._transport, API)
        self.webhooks = Webhooks(self._transport, API)
        self.traffic = Traffic(self._transport, API)
        self.costs = Costs(self._transport, API)
        self.sandbox = Sandbox(self._transport)

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Any other endpoint, e.g. client.request("GET", "/api/v1/fleet/status"). kwargs: query, body, headers, idempotency_key, timeout, max_retries."""
        return self._transport.json(method, path, **kwargs)
