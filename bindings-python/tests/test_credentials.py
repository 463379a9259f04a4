"""Credentials against the emulator's service-account exchange (its own emulator: these tests
move its clock): a service-account key exchanged once for concurrent calls and again after a 401,
token providers (plain and async functions) asked before every attempt, bad settings rejected,
and no key or token in reprs, ``vars`` or errors."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from typing import Any, Iterator, List

import pytest

import qoder_cloud
from qoder_cloud import AuthenticationError, InvalidArgumentError

from conftest import Emulator, running_emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with running_emulator() as e:
        yield e


def exchanges(e: Emulator) -> int:
    return int(e.stats()["service_token_exchanges"])


def advance(e: Emulator, seconds: float) -> None:
    req = urllib.request.Request(e.origin + "/_emulator/clock/advance", data=json.dumps({"seconds": seconds}).encode(), method="POST")
    urllib.request.urlopen(req, timeout=10).read()


def sa_kwargs(e: Emulator, key: str = "sak-python") -> dict[str, Any]:
    return dict(base_url=e.base_url, service_account_key=key, service_account_exchange_url=e.origin + "/api/v1/serviceToken/exchange", max_retries=0)


async def test_service_account_one_exchange_for_concurrent_calls_then_a_refresh_after_401(emu: Emulator) -> None:
    before = exchanges(emu)
    async with qoder_cloud.AsyncClient(**sa_kwargs(emu)) as c:
        await asyncio.gather(*(c.agents.list(limit=1) for _ in range(20)))
        assert exchanges(emu) == before + 1
        advance(emu, 7200)  # every issued token expires on the emulator's clock
        agent = await c.agents.create(name="sa", model="auto")  # refused once, re-exchanged, retried
        assert agent.name == "sa"
        assert exchanges(emu) == before + 2
        # The derived client keeps the credentials without Python holding them.
        d = c.with_options(timeout=30)
        await d.agents.list(limit=1)
        for text in (repr(c), repr(vars(c)), repr(d), repr(vars(d))):
            assert "sak-python" not in text and "sat-" not in text


def test_a_refused_key_is_an_authentication_error_without_the_key(emu: Emulator) -> None:
    with qoder_cloud.Client(**sa_kwargs(emu, "sak-revoked-py")) as c:
        with pytest.raises(AuthenticationError) as e:
            c.agents.list()
    assert "service-account token exchange: " in str(e.value)
    assert "sak-revoked-py" not in repr(e.value) + str(e.value)


def test_token_providers_are_asked_before_every_attempt(emu: Emulator) -> None:
    seen: List[str] = []

    def provider() -> str:
        seen.append("call")
        return f"pt-rotating-{len(seen)}"

    with qoder_cloud.Client(base_url=emu.base_url, token_provider=provider) as c:
        c.agents.list(limit=1)
        c.agents.list(limit=1)
    assert len(seen) == 2

    async def async_provider() -> str:
        await asyncio.sleep(0)
        return "pt-from-coroutine"

    with qoder_cloud.Client(base_url=emu.base_url, token_provider=async_provider) as c:
        c.agents.list(limit=1)

    def broken() -> str:
        raise RuntimeError("vault sealed")

    with qoder_cloud.Client(base_url=emu.base_url, token_provider=broken) as c:
        with pytest.raises(AuthenticationError) as e:
            c.agents.list()
    assert "vault sealed" in str(e.value)

    with qoder_cloud.Client(base_url=emu.base_url, token_provider=lambda: 42) as c:  # type: ignore[arg-type,return-value]
        with pytest.raises(AuthenticationError, match="must return a str"):
            c.agents.list()


def test_bad_credential_settings_are_rejected_up_front(emu: Emulator) -> None:
    for kwargs, param in [
        (dict(token_provider=42), "token_provider"),
        (dict(service_account_key=" "), "service_account_key"),
        (dict(service_account_key="sak-x", service_account_ttl=0), "service_account_ttl"),
        (dict(service_account_key="sak-x", service_account_scopes="qca.access"), "service_account_scopes"),
        (dict(service_account_key="sak-x", access_token="pt-x"), "access_token"),
    ]:
        with pytest.raises(InvalidArgumentError) as e:
            qoder_cloud.Client(base_url=emu.base_url, **kwargs)  # type: ignore[arg-type]
        assert e.value.param == param, (kwargs, e.value)
