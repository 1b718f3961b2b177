"""Lists answer {"data", "next_cursor", "has_more"}. A list call returns a pager:
    client.agents.list().first_page()      -> the first page
    for agent in client.agents.list(): ...  -> every item, page after page
    async for agent in aclient.agents.list(): ...  (AsyncClient)"""
from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Callable, Dict, Generic, Iterator, List, Optional, TypeVar

T = TypeVar("T")

Page = Dict[str, Any]


class Pager(Generic[T]):
    def __init__(self, fetch: Callable[[Optional[str]], Page]) -> None:
        self._fetch = fetch

    def first_page(self) -> Page:
        return self._fetch(None)

    def pages(self) -> Iterator[Page]:
        page = self._fetch(None)
        yield page
        while page.get("has_more") and page.get("next_cursor"):
            page = self._fetch(page["next_cursor"])
            yield page

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page["data"]

    def to_list(self) -> List[T]:
        return list(self)


class AsyncPager(Generic[T]):
    """The same pages, fetched in a thread so the event loop never blocks."""

    def __init__(self, pager: Pager[T]) -> None:
        self._pager = pager

    async def first_page(self) -> Page:
        return await asyncio.get_running_loop().run_in_executor(None, self._pager.first_page)

    async def pages(self) -> AsyncIterator[Page]:
        loop = asyncio.get_running_loop()
        page = await loop.run_in_executor(None, self._pager._fetch, None)
        yield page
        while page.get("has_more") and page.get("next_cursor"):
            page = await loop.run_in_executor(None, self._pager._fetch, page["next_cursor"])
            yield page

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page["data"]:
                yield item

    async def to_list(self) -> List[T]:
        return [item async for item in self]
