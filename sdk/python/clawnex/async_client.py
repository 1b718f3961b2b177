"""The asyncio client: the same API, each call run by the synchronous client in a worker thread
(the standard library has no async HTTP client), so the event loop never blocks and calls can
run concurrently with asyncio.gather."""
from __future__ import annotations

import asyncio
import functools
from typing import Any, Callable, Mapping, Optional

from ._transport import RetryInfo
from .client import Client
from .pagination import AsyncPager, Pager


class _AsyncResource:
    def __init__(self, resource: Any) -> None:
        self._resource = resource
        self._paginated = set(getattr(resource, "paginated", ()))

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._resource, name)
        if name in self._paginated:
            # Building a pager does no I/O; its pages are fetched in the executor.
            def paged(*args: Any, **kwargs: Any) -> AsyncPager[Any]:
                pager: Pager[Any] = method(*args, **kwargs)
                return AsyncPager(pager)

            return paged

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await asyncio.get_running_loop().run_in_executor(None, functools.partial(method, *args, **kwargs))

        return call


class _AsyncSandbox:
    def __init__(self, client: Client) -> None:
        self.agents = _AsyncResource(client.sandbox.agents)
        self.tasks = _AsyncResource(client.sandbox.tasks)
        self.files = _AsyncResource(client.sandbox.files)
        self.webhooks = _AsyncResource(client.sandbox.webhooks)


class AsyncClient:
    """``await aclient.webhooks.create(...)``, ``async for agent in aclient.agents.list(): ...``.
    Same options as Client (CLAWNEX_URL / CLAWNEX_API_KEY by default)."""

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
        self._client = Client(
            base_url,
            api_key,
            max_retries=max_retries,
            timeout=timeout,
            initial_retry_delay=initial_retry_delay,
            max_retry_delay=max_retry_delay,
            default_headers=default_headers,
            on_retry=on_retry,
        )
        self.shield = _AsyncResource(self._client.shield)
        self.agents = _AsyncResource(self._client.agents)
        self.tasks = _AsyncResource(self._client.tasks)
        self.files = _AsyncResource(self._client.files)
        self.webhooks = _AsyncResource(self._client.webhooks)
        self.traffic = _AsyncResource(self._client.traffic)
        self.costs = _AsyncResource(self._client.costs)
        self.sandbox = _AsyncSandbox(self._client)

    @property
    def base_url(self) -> str:
        return self._client.base_url

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, functools.partial(self._client.request, method, path, **kwargs))

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None
