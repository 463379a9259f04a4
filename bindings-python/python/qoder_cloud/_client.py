"""The clients: :class:`AsyncClient` and :class:`Client`."""

from __future__ import annotations

import os
import platform
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, Mapping, Optional, Sequence, Union

from . import _native
from ._resources import ASYNC_CLASSES, SYNC_CLASSES

if TYPE_CHECKING:
    from typing_extensions import Self

    from ._resources import (
        Agents,
        AsyncAgents,
        AsyncDeploymentRuns,
        AsyncDeployments,
        AsyncDreams,
        AsyncEnvironments,
        AsyncFiles,
        AsyncMemoryStores,
        AsyncModels,
        AsyncSessions,
        AsyncSkills,
        AsyncVaults,
        DeploymentRuns,
        Deployments,
        Dreams,
        Environments,
        Files,
        MemoryStores,
        Models,
        Sessions,
        Skills,
        Vaults,
    )

__all__ = ["AsyncClient", "Client"]

_VERSION: str = _native.__version__

#: A certificate or key option: a path (``str`` or ``os.PathLike``), or PEM text (``str`` holding
#: a ``-----BEGIN`` line, or ``bytes``).
CertSource = Union[str, bytes, "os.PathLike[str]"]


class _Done:
    """An awaitable that is already done (lets ``close()`` be awaited or not)."""

    __slots__ = ()

    def __await__(self) -> Any:
        return iter(())


#: The arguments of ``_BaseClient.__init__`` that are not settings a derived client copies: the
#: credentials and the client key (held by the native client only) and the internals.
_NATIVE_ONLY = frozenset({
    "self", "access_token", "pat", "token_provider", "service_account_key", "service_account_exchange_url",
    "service_account_ttl", "service_account_scopes", "client_key", "_secrets_from",
})


class _BaseClient:
    _is_async = False

    def __init__(
        self,
        *,
        access_token: Optional[str] = None,
        base_url: Optional[str] = None,
        region: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        connect_timeout: Optional[float] = None,
        total_timeout: Optional[float] = None,
        stream_idle_timeout: Optional[float] = None,
        max_body_bytes: Optional[int] = None,
        max_event_bytes: Optional[int] = None,
        ca_certs: "Optional[Union[CertSource, Sequence[CertSource]]]" = None,
        proxy: Optional[str] = None,
        client_cert: "Optional[CertSource]" = None,
        client_key: "Optional[CertSource]" = None,
        danger_accept_invalid_certs: bool = False,
        max_streams_per_connection: Optional[int] = None,
        max_response_bytes: Optional[int] = None,
        max_error_bytes: Optional[int] = None,
        max_header_bytes: Optional[int] = None,
        max_retry_after: Optional[float] = None,
        stream_stall_timeout: Optional[float] = None,
        token_provider: "Optional[Callable[[], Union[str, Awaitable[str]]]]" = None,
        service_account_key: Optional[str] = None,
        service_account_exchange_url: Optional[str] = None,
        service_account_ttl: Optional[int] = None,
        service_account_scopes: Optional[Sequence[str]] = None,
        pat: Optional[str] = None,
        _secrets_from: Any = None,
    ) -> None:
        # Every option but the credentials (token, token provider, service-account key and its
        # settings) and a client key, which only the native client holds: ``vars(client)``,
        # reprs and pickles never see them. ``with_options`` derives a client whose unchanged
        # secrets come from this one's native side.
        settings = dict(locals())
        self._options: Dict[str, Any] = {k: v for k, v in settings.items() if k not in _NATIVE_ONLY}
        if default_headers is not None:
            self._options["default_headers"] = dict(default_headers)
        self._native = _native.NativeClient(
            {
                **self._options,
                "access_token": access_token if access_token is not None else pat,
                "service_account_key": service_account_key,
                "service_account_exchange_url": service_account_exchange_url,
                "service_account_ttl": service_account_ttl,
                "service_account_scopes": service_account_scopes,
                "client_key": client_key,
                "package_version": _VERSION,
                "runtime": platform.python_implementation(),
                "runtime_version": platform.python_version(),
            },
            token_provider=token_provider,
            secrets_from=_secrets_from,
            is_async=self._is_async,
        )
        root = (ASYNC_CLASSES if self._is_async else SYNC_CLASSES)[""](self._native, ASYNC_CLASSES if self._is_async else SYNC_CLASSES)
        for name in type(root)._children:
            setattr(self, name, getattr(root, name))

    @property
    def base_url(self) -> str:
        """The base URL every path is joined to."""
        return self._native.base_url

    @property
    def region(self) -> str:
        """``"global"`` or ``"cn"``."""
        return self._native.region

    @property
    def timeout(self) -> float:
        """Per-attempt timeout in seconds."""
        return self._native.timeout

    @property
    def max_retries(self) -> int:
        return self._native.max_retries

    def is_closed(self) -> bool:
        return self._native.closed

    def with_options(self, **overrides: Any) -> "Self":
        """A new client with the same settings except ``overrides`` (``default_headers`` merge)."""
        options = dict(self._options)
        if "pat" in overrides:
            overrides["access_token"] = overrides.pop("pat")
        if "default_headers" in overrides and options.get("default_headers"):
            overrides["default_headers"] = {**options["default_headers"], **(overrides["default_headers"] or {})}
        options.update(overrides)
        return type(self)(**options, _secrets_from=self._native)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, region={self.region!r})"


class AsyncClient(_BaseClient):
    """The asyncio client.

    Options (explicit arguments win over the environment): ``access_token`` (else
    ``QODER_ACCESS_TOKEN``, then ``QODER_PAT``, then the service-account key ``QODER_SA_KEY``),
    or ``token_provider`` (a callable returning the token, asked before every attempt, so tokens
    may rotate; a 401 asks it once more and retries a safe call), or ``service_account_key``
    (exchanged for short-lived tokens, refreshed before expiry, one exchange for concurrent
    calls; ``service_account_exchange_url``, ``service_account_ttl`` seconds (default 3600),
    ``service_account_scopes`` (default ``["qca.access"]``)), ``base_url (else ``QODER_BASE_URL``, then the
    region preset), ``region`` (``"global"``/``"cn"``, else ``QODER_REGION``), ``timeout`` (seconds
    per attempt, default 600), ``max_retries`` (default 2), ``default_headers``.

    Trust and routing: the bundled roots plus the system store are trusted (``SSL_CERT_FILE`` and
    ``SSL_CERT_DIR`` are honoured); ``ca_certs`` adds CA certificates (a path, PEM ``str``/``bytes``,
    or a list of them, e.g. a corporate proxy's CA); ``proxy`` sends every request through a proxy
    (else ``HTTPS_PROXY``/``NO_PROXY`` apply); ``client_cert`` + ``client_key`` present a client
    certificate (mTLS); ``danger_accept_invalid_certs=True`` turns verification off (test servers
    only; a warning is logged); ``max_streams_per_connection`` (default 100) caps the event streams
    sharing one HTTP/2 connection, at or below your gateway's per-connection cap.

    Limits on what a server can make the client hold or wait for: ``max_response_bytes`` (default
    64 MiB; over it, :class:`ResponseTooLargeError`), ``max_error_bytes`` (1 MiB; longer error
    bodies are cut), ``max_header_bytes`` (256 KiB), ``max_retry_after`` (seconds, default 60: a
    longer ``Retry-After`` is not slept on, the error carries it as ``retry_after``) and
    ``stream_stall_timeout`` (seconds, default 300: a stream with no event for that long is
    resumed on a new connection).

    One client can be used from several threads and across successive ``asyncio.run()`` loops.
    """

    _is_async = True

    agents: "AsyncAgents"
    environments: "AsyncEnvironments"
    sessions: "AsyncSessions"
    files: "AsyncFiles"
    vaults: "AsyncVaults"
    skills: "AsyncSkills"
    memory_stores: "AsyncMemoryStores"
    models: "AsyncModels"
    deployments: "AsyncDeployments"
    deployment_runs: "AsyncDeploymentRuns"
    dreams: "AsyncDreams"

    def close(self) -> Any:
        """Closes the client: calls in flight raise ``ClientClosedError``, open streams end, later
        calls raise. ``close()`` and ``await close()`` both work; idempotent."""
        self._native.close()
        return _Done()

    async def __aenter__(self) -> "Self":
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._native.close()

    def __enter__(self) -> "Self":
        return self

    def __exit__(self, *exc: object) -> None:
        self._native.close()


class Client(_BaseClient):
    """The blocking client (same options as :class:`AsyncClient`)."""

    _is_async = False

    agents: "Agents"
    environments: "Environments"
    sessions: "Sessions"
    files: "Files"
    vaults: "Vaults"
    skills: "Skills"
    memory_stores: "MemoryStores"
    models: "Models"
    deployments: "Deployments"
    deployment_runs: "DeploymentRuns"
    dreams: "Dreams"

    def close(self) -> None:
        """Closes the client: calls in flight (in other threads) raise ``ClientClosedError``, open
        streams end, later calls raise. Idempotent."""
        self._native.close()

    def __enter__(self) -> "Self":
        return self

    def __exit__(self, *exc: object) -> None:
        self._native.close()
