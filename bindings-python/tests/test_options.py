"""Per-call and client options: retries, idempotency keys, extra headers/query/body, timeouts."""

from __future__ import annotations

import pytest

import qoder_cloud

from conftest import TOKEN, Emulator, fault, unique


def test_retries_recover_from_transient_errors(client: qoder_cloud.Client, emulator: Emulator) -> None:
    before = emulator.stats()["faults_injected"]
    page = client.agents.list(extra_headers=fault("status=503;count=2;retry-after-ms=1"), max_retries=2)
    assert page.data is not None
    assert emulator.stats()["faults_injected"] - before == 2


def test_max_retries_zero_disables_retries(client: qoder_cloud.Client, emulator: Emulator) -> None:
    before = emulator.stats()["faults_injected"]
    with pytest.raises(qoder_cloud.InternalServerError):
        client.agents.list(extra_headers=fault("status=503;count=2"), max_retries=0)
    assert emulator.stats()["faults_injected"] - before == 1


async def test_retried_create_happens_once(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    name = unique("once")
    # The first attempt is processed but its response is lost; the retry carries the same key.
    agent = await aclient.agents.create(name=name, model="auto", extra_headers=fault("drop-response;count=1"))
    assert agent.name == name
    matching = [a async for a in aclient.agents.list() if a.name == name]
    assert len(matching) == 1


async def test_caller_idempotency_key_is_sent_and_replayed(aclient: qoder_cloud.AsyncClient) -> None:
    key = "key-" + unique()
    a1 = await aclient.agents.create(name=unique("idem"), model="auto", idempotency_key=key)
    assert a1.idempotency_key == key
    a2 = await aclient.agents.create(name=a1.name, model="auto", idempotency_key=key)
    assert a2.id == a1.id  # replayed, not created twice
    with pytest.raises(qoder_cloud.ConflictError):
        await aclient.agents.create(name="different", model="auto", idempotency_key=key)


def test_extra_body_query_and_headers(client: qoder_cloud.Client) -> None:
    agent = client.agents.create(name=unique("x"), model="auto", extra_body={"description": "from extra_body"})
    assert agent.description == "from extra_body"
    page = client.agents.list(extra_query={"limit": 1})
    assert len(page.data) <= 1
    with pytest.raises(qoder_cloud.RateLimitError):
        client.agents.list(extra_headers=fault("status=429"), max_retries=0)


def test_default_headers_reach_every_request(emulator: Emulator) -> None:
    with qoder_cloud.Client(access_token=TOKEN, base_url=emulator.base_url, max_retries=0, default_headers=fault("status=418")) as c:
        with pytest.raises(qoder_cloud.APIStatusError) as ei:
            c.agents.list()
        assert ei.value.status_code == 418


def test_client_settings_and_env(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> None:
    monkeypatch.setenv("QODER_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("QODER_BASE_URL", emulator.base_url)
    with qoder_cloud.Client(timeout=12.5, max_retries=4) as c:
        assert c.base_url == emulator.base_url
        assert (c.timeout, c.max_retries, c.region) == (12.5, 4, "global")
        assert c.agents.list().data is not None
        c2 = c.with_options(max_retries=0)
        assert c2.max_retries == 0 and c2.base_url == c.base_url
        c2.close()
    cn = qoder_cloud.Client(access_token="t", region="cn", base_url=None)
    monkeypatch.delenv("QODER_BASE_URL")
    cn2 = qoder_cloud.Client(access_token="t", region="cn")
    assert cn2.base_url == "https://api.qoder.com.cn/api/v1/cloud" and cn2.region == "cn"
    cn.close()
    cn2.close()


async def test_total_timeout_bounds_retries(aclient: qoder_cloud.AsyncClient) -> None:
    # A server hint that would sleep past the deadline ends the call at once, carrying the hint.
    with pytest.raises(qoder_cloud.InternalServerError) as e:
        await aclient.agents.list(extra_headers=fault("status=503;retry-after=30"), max_retries=5, total_timeout=0.3)
    assert e.value.retry_after == 30.0
    assert e.value.retryable
    assert "past the call's total deadline" in str(e.value)
    # A slow server is cut by the deadline.
    with pytest.raises(qoder_cloud.APITimeoutError):
        await aclient.agents.list(extra_headers=fault("delay-ms=5000"), max_retries=5, total_timeout=0.3)
