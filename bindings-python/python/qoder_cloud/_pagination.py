"""Pages of list results and auto-paging iteration.

``await client.agents.list()`` returns the first :class:`AsyncPage`; ``async for agent in
client.agents.list()`` walks every item of every page, fetching pages as it goes. The sync
client's ``client.agents.list()`` returns a :class:`SyncPage`; iterating it walks every item.
Cursor rules (``page`` ← ``next_page``, or ``after_id`` ← ``last_id`` for models) live in the
core; a cursor that repeats (A → B → A) raises instead of looping forever.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Dict, Generator, Generic, Iterator, List, Optional, TypeVar

from . import _native, _otel

T = TypeVar("T")

__all__ = ["AsyncPage", "SyncPage", "AsyncPaginator"]


#: Page fields the native page serves.
_NATIVE_FIELDS = frozenset({"data", "has_more", "next_page", "first_id", "last_id", "request_id"})


class _PageBase(Generic[T]):
    __slots__ = ("_native",)

    def __init__(self, native: _native.NativePage) -> None:
        self._native = native

    # Read from the native page (see `__getattr__`).
    data: List[T]
    """The items of this page."""
    has_more: bool
    next_page: Optional[str]
    """Opaque cursor of the next page."""
    first_id: Optional[str]
    last_id: Optional[str]
    request_id: Optional[str]

    def has_next_page(self) -> bool:
        """Whether another page follows."""
        return self._native.has_next_page()

    def to_dict(self) -> Dict[str, Any]:
        """The raw page as plain data."""
        return self._native.to_dict()

    def to_json(self, *, indent: Optional[int] = 2) -> str:
        return self._native.to_json(indent=indent)

    def __len__(self) -> int:
        return len(self._native)

    def __getattr__(self, name: str) -> Any:
        if name in _NATIVE_FIELDS:
            return getattr(self._native, name)
        if name.startswith("_"):
            raise AttributeError(name)
        v = self._native.extra(name)
        if v is None:
            raise AttributeError(name)
        return v

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(data=[{len(self)} items], has_more={self.has_more!r}, "
            f"next_page={self.next_page!r})"
        )


class AsyncPage(_PageBase[T]):
    """One page of an async list call."""

    __slots__ = ()

    async def get_next_page(self) -> "AsyncPage[T]":
        """Fetches the page after this one (``RuntimeError`` at the end: check ``has_next_page()``)."""
        if _otel.ENABLED:
            nxt = await _otel.traced_await(self._native.operation, {}, lambda _: self._native.afetch_next())
        else:
            nxt = await self._native.afetch_next()
        if nxt is None:
            raise RuntimeError("No more pages")
        return AsyncPage(nxt)

    async def iter_pages(self) -> AsyncIterator["AsyncPage[T]"]:
        """This page and every page after it."""
        page: AsyncPage[T] = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.get_next_page()

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item


class SyncPage(_PageBase[T]):
    """One page of a sync list call; iterating it walks every item of every page."""

    __slots__ = ()

    def get_next_page(self) -> "SyncPage[T]":
        """Fetches the page after this one (``RuntimeError`` at the end: check ``has_next_page()``)."""
        if _otel.ENABLED:
            nxt = _otel.traced_call(self._native.operation, {}, lambda _: self._native.fetch_next())
        else:
            nxt = self._native.fetch_next()
        if nxt is None:
            raise RuntimeError("No more pages")
        return SyncPage(nxt)

    def iter_pages(self) -> Iterator["SyncPage[T]"]:
        """This page and every page after it."""
        page: SyncPage[T] = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.get_next_page()

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.data


class AsyncPaginator(Generic[T]):
    """The result of an async list call: ``await`` it for the first page, or ``async for`` over
    it for every item across pages. Nothing is sent until it is awaited or iterated."""

    __slots__ = ("_client", "_op", "_kwargs", "_cls")

    def __init__(self, client: _native.NativeClient, op: str, kwargs: Dict[str, Any], cls: Any) -> None:
        self._client = client
        self._op = op
        self._kwargs = kwargs
        self._cls = cls

    async def _first(self) -> AsyncPage[T]:
        if _otel.ENABLED:
            kwargs = dict(self._kwargs)
            return AsyncPage(await _otel.traced_await(self._op, kwargs, lambda kw: self._client.page(self._op, kw, self._cls)))
        return AsyncPage(await self._client.page(self._op, self._kwargs, self._cls))

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        return self._first().__await__()

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncIterator[T]:
        page = await self._first()
        async for item in page:
            yield item

    def __repr__(self) -> str:
        return f"AsyncPaginator({self._op})"
