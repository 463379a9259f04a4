"""Resource namespaces, built from the core's operation table.

Every operation of the core (``_native.operations()``) becomes a method of both clients:
``sessions.events.send`` → ``client.sessions.events.send(...)``. Calling conventions follow the
official ``qca`` SDK: the target id is positional, ancestor ids are keyword-only
(``client.vaults.credentials.retrieve(cred_id, vault_id=...)``); for a list the parent id is
positional (``client.sessions.events.list(session_id)``). Everything else is a keyword argument,
sent only when given, so an omitted argument and an explicit ``None`` stay distinct. Every
method also accepts ``timeout``, ``max_retries``, ``idempotency_key``, ``extra_headers``,
``extra_query`` and ``extra_body``.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import _native, _otel
from . import types as _t
from ._pagination import AsyncPaginator, SyncPage
from ._special import method_for

__all__ = ["OPERATIONS", "ALIASES", "NAMESPACES", "namespace_class_name", "build_namespace_classes"]

OPERATIONS: List[Dict[str, Any]] = _native.operations()

#: Names the official SDK uses for the same operation.
ALIASES: Dict[str, str] = {
    "files.retrieve_metadata": "files.retrieve",
    "sessions.events.resumable_stream": "sessions.events.stream",
}

#: Per-call options every method accepts, and the extra ones of stream methods (the core's table).
CALL_OPTIONS: Tuple[str, ...] = tuple(n for n, _ in _native.call_options(False))
STREAM_OPTIONS: Tuple[str, ...] = tuple(n for n, _ in _native.call_options(True))


def result_class(op: Dict[str, Any]) -> Any:
    """The class of an operation's result (or page items): the schema type the operation table
    names (``None``: the object's ``type`` picks it, e.g. memories and memory prefixes)."""
    name: Optional[str] = op["result"]
    return getattr(_t, name) if name else None


def positional_param(op: Dict[str, Any]) -> Optional[str]:
    """The argument passed positionally: the last path parameter."""
    params: List[str] = op["path_params"]
    return params[-1] if params else None


def namespace_class_name(namespace: str, is_async: bool) -> str:
    camel = "".join(part.capitalize() for seg in namespace.split(".") for part in seg.split("_"))
    return ("Async" if is_async else "") + camel


def _bind(method: str, positional: Optional[str], args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
    if len(args) > 1 or (args and positional is None):
        allowed = 1 if positional else 0
        raise TypeError(f"{method}() takes {allowed} positional argument{'s' if allowed != 1 else ''} but {len(args)} were given")
    if args:
        if positional in kwargs:
            raise TypeError(f"{method}() got multiple values for argument '{positional}'")
        kwargs[positional] = args[0]  # type: ignore[index]


_NOT_GIVEN = inspect.Parameter.empty


def _signature(op: Dict[str, Any], extra: Tuple[str, ...] = ()) -> inspect.Signature:
    """An informational signature (for ``help()`` and IDEs)."""
    pos = positional_param(op)
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)]
    if pos:
        params.append(inspect.Parameter(pos, inspect.Parameter.POSITIONAL_OR_KEYWORD))
    seen = {"self", pos}
    kw = inspect.Parameter.KEYWORD_ONLY
    for p in op["path_params"]:
        if p not in seen:
            params.append(inspect.Parameter(p, kw))
            seen.add(p)
    for name in list(op["required"]) + list(op["body_fields"]) + list(op["query"]) + list(op["headers"]):
        if name in seen or not name.isidentifier():
            continue
        seen.add(name)
        default = _NOT_GIVEN if name in op["required"] else None
        params.append(inspect.Parameter(name, kw, default=default))
    for name in extra + CALL_OPTIONS:
        if name not in seen:
            seen.add(name)
            params.append(inspect.Parameter(name, kw, default=None))
    return inspect.Signature(params)


def _doc(op: Dict[str, Any]) -> str:
    return f"{op['http_method']} {op['path']}  (operation ``{op['name']}``)"


def _make_method(op: Dict[str, Any], is_async: bool) -> Callable[..., Any]:
    name: str = op["name"]
    meth: str = op["method_name"]
    pos = positional_param(op)
    kind: str = op["response"]
    cls = result_class(op)
    special = method_for(op, is_async)  # uploads and downloads have dedicated natives
    if special is not None:
        fn = special
    elif kind in ("page", "models_page"):
        if is_async:

            def fn(self: "_Namespace", *args: Any, **kwargs: Any) -> Any:
                if args:
                    _bind(meth, pos, args, kwargs)
                return AsyncPaginator(self._native, name, kwargs, cls)

        else:

            def fn(self: "_Namespace", *args: Any, **kwargs: Any) -> Any:
                if args:
                    _bind(meth, pos, args, kwargs)
                if _otel.ENABLED:
                    return SyncPage(_otel.traced_call(name, kwargs, lambda kw: self._native.page(name, kw, cls)))
                return SyncPage(self._native.page(name, kwargs, cls))

    elif kind == "stream":

        def fn(self: "_Namespace", *args: Any, **kwargs: Any) -> Any:
            if args:
                _bind(meth, pos, args, kwargs)
            return self._native.stream(name, kwargs)

    elif kind in ("object", "optional_object") and op["body"] in ("none", "json"):
        # Written out for each client (not through `native_method`): the hot path of every call
        # keeps one Python frame.
        if is_async:

            async def fn(self: "_Namespace", *args: Any, **kwargs: Any) -> Any:
                if args:
                    _bind(meth, pos, args, kwargs)
                return await self._native.call(name, kwargs, cls)

        else:

            def fn(self: "_Namespace", *args: Any, **kwargs: Any) -> Any:
                if args:
                    _bind(meth, pos, args, kwargs)
                return self._native.call(name, kwargs, cls)

    else:  # pragma: no cover - every other kind has a special implementation

        def fn(self: "_Namespace", *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError(f"{name} is not supported by this version of qoder_cloud")

    if _otel.ENABLED and kind not in ("page", "models_page"):  # pages trace each fetch (_pagination)
        fn = _traced(fn, name, kind == "stream")
    fn.__name__ = meth
    fn.__qualname__ = f"{namespace_class_name(op['namespace'], is_async)}.{meth}"
    fn.__doc__ = _doc(op)
    fn.__signature__ = _signature(op, STREAM_OPTIONS if kind == "stream" else ())  # type: ignore[attr-defined]
    fn._qoder_operation = name  # type: ignore[attr-defined]
    return fn


def _traced(fn: Callable[..., Any], name: str, is_stream: bool) -> Callable[..., Any]:
    """``fn`` inside an OpenTelemetry span (see ``_otel``); only built when the API is installed."""
    if is_stream:

        def stream(self: "_Namespace", *args: Any, **kwargs: Any) -> Any:
            return _otel.stream(name, kwargs, lambda kw: fn(self, *args, **kw))

        return stream
    if inspect.iscoroutinefunction(fn):

        async def acall(self: "_Namespace", *args: Any, **kwargs: Any) -> Any:
            return await _otel.traced_await(name, kwargs, lambda kw: fn(self, *args, **kw))

        return acall

    def call(self: "_Namespace", *args: Any, **kwargs: Any) -> Any:
        return _otel.traced_call(name, kwargs, lambda kw: fn(self, *args, **kw))

    return call


class _Namespace:
    """Base of every namespace class."""

    __slots__ = ("_native", "__dict__")
    _namespace: str = ""
    _children: Tuple[str, ...] = ()

    def __init__(self, native: _native.NativeClient, classes: Dict[str, type]) -> None:
        self._native = native
        for child in self._children:
            sub = f"{self._namespace}.{child}" if self._namespace else child
            setattr(self, child, classes[sub](native, classes))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} namespace>"


def _namespaces() -> List[str]:
    out: List[str] = []
    for op in OPERATIONS:
        ns: str = op["namespace"]
        parts = ns.split(".")
        for i in range(1, len(parts) + 1):
            p = ".".join(parts[:i])
            if p not in out:
                out.append(p)
    return out


NAMESPACES: List[str] = _namespaces()


def build_namespace_classes(is_async: bool) -> Dict[str, type]:
    """One class per namespace (``""`` is the root holding the top-level namespaces)."""
    classes: Dict[str, type] = {}
    for ns in [""] + NAMESPACES:
        children = tuple(
            sorted({n[len(ns) + 1 :].split(".")[0] if ns else n.split(".")[0] for n in NAMESPACES if (n.startswith(ns + ".") if ns else True)})
        )
        attrs: Dict[str, Any] = {"_namespace": ns, "_children": children, "__slots__": ()}
        for op in OPERATIONS:
            if op["namespace"] == ns:
                attrs[op["method_name"]] = _make_method(op, is_async)
        for alias, target in ALIASES.items():
            a_ns, a_meth = alias.rsplit(".", 1)
            if a_ns == ns:
                t_meth = target.rsplit(".", 1)[1]
                attrs[a_meth] = attrs[t_meth]
        if ns == "sessions":
            from ._special import session_helpers

            attrs.update(session_helpers(is_async))
        attrs["__module__"] = __name__
        name = namespace_class_name(ns, is_async) if ns else ("AsyncRoot" if is_async else "Root")
        attrs["__doc__"] = f"The ``{ns}`` namespace." if ns else "Top-level namespaces."
        classes[ns] = type(name, (_Namespace,), attrs)
    return classes


ASYNC_CLASSES = build_namespace_classes(True)
SYNC_CLASSES = build_namespace_classes(False)

# Export the classes under their names (``AsyncSessionsEvents``, ``SessionsEvents``, ...).
for _classes in (ASYNC_CLASSES, SYNC_CLASSES):
    for _ns, _cls in _classes.items():
        if _ns:
            globals()[_cls.__name__] = _cls
