"""OpenTelemetry spans and W3C trace-context propagation, active when the OpenTelemetry API
(``opentelemetry-api``, an optional dependency: ``pip install qoder-cloud[otel]``) is importable
and the application has set a tracer provider (without one, every span would be a no-op, so
calls go straight to the native client and streams are not wrapped).

Each call gets a CLIENT span ``qoder <operation>`` (a list: one per page fetched; a stream: one
for its whole life, ended when it ends or is closed), a child of the caller's current span, and
its context goes out as ``traceparent`` / ``tracestate`` headers (a header the caller set wins).
The span records the operation, the final HTTP status, the request id and, on failure, the error
class; never a header value, a body or a token. Without the API installed, none of this runs:
the methods call the native client directly.
"""

from __future__ import annotations

from typing import Any, Dict, Optional
import importlib.util
import sys

from . import _native

#: Whether the OpenTelemetry API is installed (the methods are then wrapped; see `active`).
#: Found without importing it: importing the API costs ~20 ms, which an application that never
#: sets a tracer provider should not pay when it imports us.
ENABLED = importlib.util.find_spec("opentelemetry") is not None

_trace: Any = None
_propagate: Any = None
_NoOp: Any = None
_Proxy: Any = None
_SpanKind: Any = None
_Status: Any = None
_StatusCode: Any = None


def _load() -> None:
    global _trace, _propagate, _NoOp, _Proxy, _SpanKind, _Status, _StatusCode
    from opentelemetry import propagate, trace

    _propagate = propagate
    _NoOp, _Proxy = trace.NoOpTracerProvider, trace.ProxyTracerProvider
    _SpanKind, _Status, _StatusCode = trace.SpanKind, trace.Status, trace.StatusCode
    _trace = trace


def active() -> bool:
    """Whether the application has set a tracer provider (checked per call: it may do so late).
    Setting one means it imported ``opentelemetry.trace``; until then nothing is imported here."""
    if _trace is None:
        if "opentelemetry.trace" not in sys.modules:
            return False
        _load()
    return not isinstance(_trace.get_tracer_provider(), (_Proxy, _NoOp))


def _tracer() -> Any:
    # Looked up per span: the application may install its tracer provider after importing us.
    return _trace.get_tracer("qoder_cloud", _native.__version__)


def begin(operation: str, kwargs: Dict[str, Any]) -> Any:
    """Starts the span of a call and adds its trace context to ``kwargs["extra_headers"]``."""
    if _trace is None:
        _load()
    span = _tracer().start_span(
        f"qoder {operation}",
        kind=_SpanKind.CLIENT,
        attributes={"qoder.operation": operation, "rpc.system": "qoder"},
    )
    carrier: Dict[str, str] = {}
    _propagate.inject(carrier, context=_trace.set_span_in_context(span))
    if carrier:
        given = kwargs.get("extra_headers") or {}
        lower = {k.lower() for k in given}
        headers = dict(given)
        for k, v in carrier.items():
            if k.lower() not in lower:
                headers[k] = v
        kwargs["extra_headers"] = headers
    return span


def finish(span: Any, result: Any = None, error: Optional[BaseException] = None) -> None:
    """Ends a span with the call's outcome."""
    if error is not None:
        status = getattr(error, "status_code", None)
        if isinstance(status, int):
            span.set_attribute("http.response.status_code", status)
        rid = getattr(error, "request_id", None)
        if isinstance(rid, str):
            span.set_attribute("qoder.request_id", rid)
        span.set_attribute("error.type", type(error).__name__)
        span.set_status(_Status(_StatusCode.ERROR, type(error).__name__))
    else:
        rid = getattr(result, "request_id", None)
        if isinstance(rid, str):
            span.set_attribute("qoder.request_id", rid)
    span.end()


async def traced_await(operation: str, kwargs: Dict[str, Any], call: Any) -> Any:
    """Runs ``await call(kwargs)`` inside a span."""
    if not active():
        return await call(kwargs)
    span = begin(operation, kwargs)
    try:
        result = await call(kwargs)
    except BaseException as e:
        finish(span, error=e)
        raise
    finish(span, result)
    return result


def traced_call(operation: str, kwargs: Dict[str, Any], call: Any) -> Any:
    """Runs ``call(kwargs)`` inside a span."""
    if not active():
        return call(kwargs)
    span = begin(operation, kwargs)
    try:
        result = call(kwargs)
    except BaseException as e:
        finish(span, error=e)
        raise
    finish(span, result)
    return result


class TracedStream:
    """A stream whose span lasts as long as it does. Everything else is the native stream's."""

    __slots__ = ("_stream", "_span")

    def __init__(self, stream: Any, span: Any) -> None:
        self._stream = stream
        self._span = span

    def _end(self, error: Optional[BaseException] = None) -> None:
        span, self._span = self._span, None
        if span is not None:
            finish(span, error=error)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def __repr__(self) -> str:
        return repr(self._stream)

    # Iteration (sync and async): the span ends with the stream.
    def __iter__(self) -> "TracedStream":
        return self

    def __next__(self) -> Any:
        try:
            return next(self._stream)
        except StopIteration:
            self._end()
            raise
        except BaseException as e:
            self._end(e)
            raise

    def __aiter__(self) -> "TracedStream":
        return self

    async def __anext__(self) -> Any:
        try:
            return await self._stream.__anext__()
        except StopAsyncIteration:
            self._end()
            raise
        except BaseException as e:
            self._end(e)
            raise

    def close(self) -> Any:
        self._end()
        return self._stream.close()

    async def aclose(self) -> Any:
        self._end()
        return await self._stream.aclose()

    def __enter__(self) -> "TracedStream":
        self._stream.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        self._end()
        return self._stream.__exit__(*exc)

    async def __aenter__(self) -> "TracedStream":
        await self._stream.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> Any:
        self._end()
        return await self._stream.__aexit__(*exc)

    def __del__(self) -> None:
        self._end()


def stream(operation: str, kwargs: Dict[str, Any], open_stream: Any) -> Any:
    """Opens a stream inside a span that ends with it."""
    if not active():
        return open_stream(kwargs)
    span = begin(operation, kwargs)
    try:
        s = open_stream(kwargs)
    except BaseException as e:
        finish(span, error=e)
        raise
    return TracedStream(s, span)
