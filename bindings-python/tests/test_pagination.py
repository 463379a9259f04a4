"""Pages: explicit page walking, auto-paging, filters re-sent, both clients."""

from __future__ import annotations

from typing import List

import qoder_cloud
from qoder_cloud import AsyncPage, AsyncPaginator, SyncPage

from conftest import Emulator, new_session, new_session_sync


async def test_async_pages(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    s = await new_session(aclient)
    for i in range(3):
        await aclient.sessions.run_turn(s.id, f"turn {i}")
    all_ids = [e.id async for e in aclient.sessions.events.list(s.id, limit=100)]
    assert len(all_ids) > 12

    pager = aclient.sessions.events.list(s.id, limit=5)
    assert isinstance(pager, AsyncPaginator)
    before = emulator.requests_total()
    first = await pager
    assert emulator.requests_total() == before + 1  # nothing is fetched until awaited
    assert isinstance(first, AsyncPage) and len(first.data) == 5 and len(first) == 5
    assert first.has_more and first.next_page and first.has_next_page()
    assert first.first_id == first.data[0].id and first.last_id == first.data[-1].id
    assert first.request_id

    second = await first.get_next_page()
    assert [e.id for e in second.data] == all_ids[5:10]

    walked: List[str] = []
    pages = 0
    async for page in first.iter_pages():
        pages += 1
        walked.extend(e.id for e in page.data)
    assert walked == all_ids and pages == -(-len(all_ids) // 5)

    items = [e.id async for e in aclient.sessions.events.list(s.id, limit=5)]
    assert items == all_ids
    page_items = [e.id async for e in first]  # a page iterates from itself onwards
    assert page_items == all_ids


async def test_filters_are_resent_on_every_page(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    for i in range(4):
        await aclient.sessions.run_turn(s.id, f"m{i}")
    msgs = [e async for e in aclient.sessions.events.list(s.id, types=["agent.message"], limit=1)]
    assert [m.content[0].text for m in msgs] == [f"Echo: m{i}" for i in range(4)]


async def test_last_page(aclient: qoder_cloud.AsyncClient) -> None:
    s = await new_session(aclient)
    page = await aclient.sessions.threads.list(s.id)
    assert not page.has_more and not page.has_next_page()
    try:
        await page.get_next_page()
    except RuntimeError as e:
        assert "No more pages" in str(e)
    else:
        raise AssertionError("expected RuntimeError")
    assert page.to_dict()["data"][0]["id"] == page.data[0].id


def test_sync_pages(client: qoder_cloud.Client) -> None:
    s = new_session_sync(client)
    for i in range(2):
        client.sessions.run_turn(s.id, f"sync {i}")
    first = client.sessions.events.list(s.id, limit=4)
    assert isinstance(first, SyncPage) and len(first.data) == 4
    every = [e.id for e in first]  # iterating a page walks all later pages
    assert len(every) > 8 and len(set(every)) == len(every)
    nxt = first.get_next_page()
    assert [e.id for e in nxt.data] == every[4:8]
    assert sum(len(p.data) for p in first.iter_pages()) == len(every)
    assert "SyncPage(data=[4 items]" in repr(first)
