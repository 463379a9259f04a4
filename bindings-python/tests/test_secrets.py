"""Secrets never leak: the access token and vault credential secrets stay out of repr/str of
clients, results and errors (a failed request, a refused token), and out of DEBUG logging.
File downloads never send the Authorization header to the storage URL.
"""

from __future__ import annotations

import logging
import pickle
import traceback
from typing import Any, Dict, Iterator, List

import pytest

import qoder_cloud
from qoder_cloud import types

from conftest import Emulator, fault, invoke, running_emulator, unique

ACCESS_TOKEN = "pt-super-secret-token-4242"
WRONG_TOKEN = "pt-wrong-token-secret-1111"
ENV_SECRET = "vault-secret-value-9876"
OAUTH_ACCESS = "oauth-access-token-secret-5555"
OAUTH_REFRESH = "oauth-refresh-token-secret-6666"
OAUTH_CLIENT_SECRET = "oauth-client-secret-7777"
ROTATED_SECRET = "rotated-secret-value-3333"
SECRETS = [ACCESS_TOKEN, WRONG_TOKEN, ENV_SECRET, OAUTH_ACCESS, OAUTH_REFRESH, OAUTH_CLIENT_SECRET, ROTATED_SECRET]


@pytest.fixture(scope="module")
def locked() -> Iterator[Emulator]:
    """An emulator that accepts only ACCESS_TOKEN (any other bearer gets a real 401)."""
    with running_emulator("--token", ACCESS_TOKEN) as emu:
        yield emu


def leaks(text: str) -> List[str]:
    return [s for s in SECRETS if s in text]


def error_texts(e: BaseException) -> str:
    """Everything a user might print or log about an exception."""
    parts = [str(e), repr(e), "".join(traceback.format_exception(type(e), e, e.__traceback__)), repr(e.args)]
    parts.append(repr({k: v for k, v in vars(e).items()}))
    parts.append(repr(getattr(e, "body", None)))
    parts.append(repr(pickle.loads(pickle.dumps(e))))
    return "\n".join(parts)


def env_auth(secret: str = ENV_SECRET) -> Dict[str, Any]:
    return {"type": "environment_variable", "secret_name": "API_KEY", "secret_value": secret, "networking": {"type": "unrestricted"}}


def oauth_auth() -> Dict[str, Any]:
    return {
        "type": "mcp_oauth",
        "access_token": OAUTH_ACCESS,
        "mcp_server_url": "https://mcp.example.com/sse",
        "refresh": {
            "client_id": "client-1",
            "refresh_token": OAUTH_REFRESH,
            "token_endpoint": "https://auth.example.com/token",
            "token_endpoint_auth": {"type": "client_secret_post", "client_secret": OAUTH_CLIENT_SECRET},
        },
    }


def all_log_text(records: List[logging.LogRecord]) -> str:
    fmt = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return "\n".join(f"{fmt.format(r)} {r.__dict__}" for r in records)


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_secrets_never_appear_in_reprs_errors_or_debug_logs(
    locked: Emulator, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    caplog.set_level(logging.DEBUG, logger="qoder_cloud")
    cls = qoder_cloud.AsyncClient if kind == "async" else qoder_cloud.Client
    c = cls(access_token=ACCESS_TOKEN, base_url=locked.base_url, max_retries=1)
    texts: Dict[str, str] = {}
    errors: List[BaseException] = []
    try:
        texts["client repr/str"] = f"{c!r} {c}"
        c2 = c.with_options(max_retries=0, default_headers={"x-trace": "1"})
        texts["with_options repr"] = repr(c2)
        c2.close()

        vault = await invoke(c.vaults.create(display_name=unique("secrets")))
        env_cred = await invoke(c.vaults.credentials.create(vault_id=vault.id, display_name="env", auth=env_auth()))
        oauth_cred = await invoke(c.vaults.credentials.create(vault_id=vault.id, display_name="oauth", auth=oauth_auth()))
        rotated = await invoke(c.vaults.credentials.update(env_cred.id, vault_id=vault.id, auth=env_auth(ROTATED_SECRET)))
        validation = await invoke(c.vaults.credentials.mcp_oauth_validate(oauth_cred.id, vault_id=vault.id))
        listed = await invoke(c.vaults.credentials.list(vault.id))
        for name, obj in [("env credential", env_cred), ("oauth credential", oauth_cred), ("rotated", rotated), ("validation", validation)]:
            texts[f"{name} repr/str/json"] = f"{obj!r} {obj} {obj.to_json()} {obj.to_dict()}"
        texts["credential page"] = f"{listed!r} {[repr(x) for x in listed.data]}"

        # A result holding secrets (as a caller might build one): repr and str hide them.
        local = types.VaultCredential({"id": "vcred_local", "type": "vault_credential", "auth": oauth_auth()})
        texts["local model repr/str"] = f"{local!r} {local}"

        # Errors: a server-side validation failure on a request that carried a secret ...
        try:
            await invoke(c.vaults.credentials.update(env_cred.id, vault_id=vault.id, auth={"type": "static_bearer", "token": ENV_SECRET}))
        except qoder_cloud.BadRequestError as e:
            errors.append(e)
        # ... a request failing after its retries, with secrets in its body ...
        try:
            await invoke(
                c.vaults.credentials.create(vault_id=vault.id, auth=oauth_auth(), extra_headers=fault("status=503;count=5;retry-after-ms=1"))
            )
        except qoder_cloud.InternalServerError as e:
            errors.append(e)
        # ... a local rejection of a request carrying secrets ...
        try:
            await invoke(c.vaults.credentials.create(vault_id=vault.id, auth=env_auth(), metadata={"k": 1}))
        except qoder_cloud.InvalidArgumentError as e:
            errors.append(e)
        # ... a connection failure, and a refused token (a real 401 from the allow-list).
        with cls(access_token=ACCESS_TOKEN, base_url="http://127.0.0.1:9/api/v1/cloud", max_retries=0) as dead:
            try:
                await invoke(dead.vaults.credentials.create(vault_id=vault.id, auth=env_auth()))
            except qoder_cloud.APIConnectionError as e:
                errors.append(e)
        with cls(access_token=WRONG_TOKEN, base_url=locked.base_url, max_retries=1) as wrong:
            texts["wrong-token client"] = f"{wrong!r} {wrong}"
            try:
                await invoke(wrong.vaults.credentials.create(vault_id=vault.id, auth=oauth_auth()))
            except qoder_cloud.AuthenticationError as e:
                assert e.status_code == 401 and e.request_id
                errors.append(e)
    finally:
        c.close()
    assert [type(e).__name__ for e in errors] == [
        "BadRequestError",
        "InternalServerError",
        "InvalidArgumentError",
        "APIConnectionError",
        "AuthenticationError",
    ]
    for e in errors:
        texts[f"{type(e).__name__}"] = error_texts(e)
    qoder_cloud._native._flush_logs()
    records = [r for r in caplog.records if r.name.startswith("qoder_cloud")]
    events = {getattr(r, "qoder_event", None) for r in records}
    assert {"request", "response", "retry"} <= events, f"DEBUG logging produced request, response and retry records: {events}"
    assert any(r.levelno == logging.DEBUG for r in records)
    texts["logging"] = all_log_text(records)
    found = {where: leaks(text) for where, text in texts.items() if leaks(text)}
    assert not found, f"secrets leaked: {found}"
    assert "Bearer " not in texts["logging"], "the Authorization header was logged"


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_downloads_never_send_authorization_to_storage(emulator: Emulator, kind: str) -> None:
    cls = qoder_cloud.AsyncClient if kind == "async" else qoder_cloud.Client
    with cls(access_token=ACCESS_TOKEN, base_url=emulator.base_url) as c:
        f = await invoke(c.files.upload(file=("secret.txt", b"download me")))
        before = emulator.stats()
        resp = await invoke(c.files.download(f.id))
        body = await invoke(resp.read())
        assert body == b"download me"
        # And a second download of the same file, written to memory through iteration.
        resp2 = await invoke(c.files.download(f.id))
        if kind == "async":
            chunks = [x async for x in resp2]
        else:
            chunks = list(resp2)
        assert b"".join(chunks) == b"download me"
    s = emulator.stats()
    assert s["storage_requests"] - before["storage_requests"] == 2, "the bytes came from the storage URL"
    assert s["storage_requests_with_auth"] == 0, "no Authorization, x-api-key or Cookie was sent to storage"


def _reachable_text(obj: Any, depth: int = 0, seen: Any = None) -> str:
    """Every str/bytes reachable from ``obj`` through ``vars()``, containers and attributes."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 6:
        return ""
    seen.add(id(obj))
    if isinstance(obj, (str, bytes)):
        return obj if isinstance(obj, str) else obj.decode("latin-1")
    parts: List[str] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            parts += [_reachable_text(k, depth + 1, seen), _reachable_text(v, depth + 1, seen)]
    elif isinstance(obj, (list, tuple, set, frozenset)):
        parts += [_reachable_text(v, depth + 1, seen) for v in obj]
    elif hasattr(obj, "__dict__"):
        parts.append(_reachable_text(vars(obj), depth + 1, seen))
    return "\n".join(parts)


@pytest.mark.parametrize("cls", [qoder_cloud.Client, qoder_cloud.AsyncClient])
def test_the_token_and_client_key_are_not_reachable_from_python(locked: Emulator, cls: Any) -> None:
    key_pem = "-----BEGIN PRIVATE KEY-----\nTUlTU0lOR0tFWXNlY3JldC1rZXktYm9keS0xMjM0\n-----END PRIVATE KEY-----\n"
    c = cls(access_token=ACCESS_TOKEN, base_url=locked.base_url, max_retries=0)
    derived = c.with_options(timeout=5)
    for client in (c, derived):
        text = _reachable_text(client) + repr(vars(client)) + repr(client)
        assert leaks(text) == [], f"secret reachable from {type(client).__name__}"
        with pytest.raises(Exception):
            pickle.dumps(client)  # a client holds native state: never serialised (nor its token)
    # The derived client still authenticates: its token came from the native side.
    sync = derived if cls is qoder_cloud.Client else qoder_cloud.Client(access_token=ACCESS_TOKEN, base_url=locked.base_url).with_options(timeout=5)
    assert sync.models.list() is not None
    # A client key given as PEM text is not kept in Python either (the client fails to build
    # because the key is not a real key, and the error does not echo it).
    with pytest.raises(qoder_cloud.InvalidArgumentError) as ei:
        cls(access_token=ACCESS_TOKEN, base_url=locked.base_url, client_cert=key_pem.replace("PRIVATE KEY", "CERTIFICATE"), client_key=key_pem)
    assert "TUlTU0lOR0tFWXNl" not in str(ei.value) + repr(ei.value)
