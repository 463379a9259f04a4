"""Operations that are not plain JSON calls: uploads (multipart) and downloads (bytes).

Each maps onto one native function of the client, so the binding stays a thin layer.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from . import _otel
from . import types as _t


def _files_upload(is_async: bool) -> Callable[..., Any]:
    if is_async:

        async def upload(self: Any, **kwargs: Any) -> Any:
            return await self._native.aupload_file(kwargs, _t.FileMetadata)

    else:

        def upload_(self: Any, **kwargs: Any) -> Any:
            return self._native.upload_file(kwargs, _t.FileMetadata)

        return upload_
    return upload


def _skills_create(is_async: bool) -> Callable[..., Any]:
    if is_async:

        async def create(self: Any, **kwargs: Any) -> Any:
            return await self._native.aupload_skill(None, kwargs, _t.Skill)

    else:

        def create_(self: Any, **kwargs: Any) -> Any:
            return self._native.upload_skill(None, kwargs, _t.Skill)

        return create_
    return create


def _skills_versions_create(is_async: bool) -> Callable[..., Any]:
    if is_async:

        async def create(self: Any, skill_id: str, **kwargs: Any) -> Any:
            return await self._native.aupload_skill(skill_id, kwargs, _t.SkillVersion)

    else:

        def create_(self: Any, skill_id: str, **kwargs: Any) -> Any:
            return self._native.upload_skill(skill_id, kwargs, _t.SkillVersion)

        return create_
    return create


def _files_download(is_async: bool) -> Callable[..., Any]:
    if is_async:

        async def download(self: Any, file_id: str, **kwargs: Any) -> Any:
            return await self._native.adownload_file(file_id, kwargs)

    else:

        def download_(self: Any, file_id: str, **kwargs: Any) -> Any:
            return self._native.download_file(file_id, kwargs)

        return download_
    return download


def _skills_versions_download(is_async: bool) -> Callable[..., Any]:
    if is_async:

        async def download(self: Any, version: str, *, skill_id: str, **kwargs: Any) -> Any:
            return await self._native.adownload_skill_version(skill_id, version, kwargs)

    else:

        def download_(self: Any, version: str, *, skill_id: str, **kwargs: Any) -> Any:
            return self._native.download_skill_version(skill_id, version, kwargs)

        return download_
    return download


_SPECIAL: Dict[str, Callable[[bool], Callable[..., Any]]] = {
    "files.upload": _files_upload,
    "files.download": _files_download,
    "skills.create": _skills_create,
    "skills.versions.create": _skills_versions_create,
    "skills.versions.download": _skills_versions_download,
}


def method_for(op: Dict[str, Any], is_async: bool) -> Optional[Callable[..., Any]]:
    make = _SPECIAL.get(op["name"])
    return make(is_async) if make else None


def session_helpers(is_async: bool) -> Dict[str, Callable[..., Any]]:
    """``sessions.run_turn`` and ``sessions.send_and_wait`` (the core's turn helper)."""
    run_turn: Callable[..., Any]
    send_and_wait: Callable[..., Any]
    run_tools: Callable[..., Any]
    if is_async:

        async def arun_tools(self: Any, session_id: str, text: Optional[str] = None, *, events: Any = None, tools: Any = None, **kwargs: Any) -> Any:
            kwargs.update(_runner=True, tools=tool_map(tools))
            return await _otel.traced_await("sessions.run_tools", kwargs, lambda kw: self._native.arun_turn(session_id, text, events, kw, _t.TurnResult))

        run_tools = arun_tools

        async def arun_turn(self: Any, session_id: str, text: str, **kwargs: Any) -> Any:
            return await _otel.traced_await("sessions.run_turn", kwargs, lambda kw: self._native.arun_turn(session_id, text, None, kw, _t.TurnResult))

        async def asend_and_wait(self: Any, session_id: str, *, events: Any, **kwargs: Any) -> Any:
            return await _otel.traced_await("sessions.send_and_wait", kwargs, lambda kw: self._native.arun_turn(session_id, None, events, kw, _t.TurnResult))

        run_turn, send_and_wait = arun_turn, asend_and_wait
    else:

        def srun_turn(self: Any, session_id: str, text: str, **kwargs: Any) -> Any:
            return _otel.traced_call("sessions.run_turn", kwargs, lambda kw: self._native.run_turn(session_id, text, None, kw, _t.TurnResult))

        def ssend_and_wait(self: Any, session_id: str, *, events: Any, **kwargs: Any) -> Any:
            return _otel.traced_call("sessions.send_and_wait", kwargs, lambda kw: self._native.run_turn(session_id, None, events, kw, _t.TurnResult))

        def srun_tools(self: Any, session_id: str, text: Optional[str] = None, *, events: Any = None, tools: Any = None, **kwargs: Any) -> Any:
            kwargs.update(_runner=True, tools=tool_map(tools))
            return _otel.traced_call("sessions.run_tools", kwargs, lambda kw: self._native.run_turn(session_id, text, events, kw, _t.TurnResult))

        run_turn, send_and_wait, run_tools = srun_turn, ssend_and_wait, srun_tools
    run_turn.__name__, send_and_wait.__name__, run_tools.__name__ = "run_turn", "send_and_wait", "run_tools"

    run_turn.__doc__ = (
        "Sends a text ``user.message`` and waits until the turn ends (the session idles, "
        "terminates or is deleted). Returns a ``TurnResult`` (``text``, ``stop_type``, "
        "``messages``, ``events``, ``usage``). ``on_event`` (called from a worker thread) sees "
        "every event, previews included when ``event_deltas=True``."
    )
    send_and_wait.__doc__ = "Like ``run_turn`` with arbitrary input ``events`` (tool confirmations, results...)."
    run_tools.__doc__ = (
        "Sends ``text`` (or ``events``) and drives the session until the turn ends, running the "
        "agent's custom tools through ``tools`` (callables keyed by tool name, or functions "
        "decorated with ``custom_tool``; called with the tool input as keyword arguments, "
        "concurrently; a raised exception becomes an error result) and answering tool "
        "confirmations through ``confirm`` (event -> True / False / deny message / None) or "
        "``allow_tools`` / ``deny_tools``. Each result is sent once, across retries and dropped "
        "streams. With neither ``text`` nor ``events`` it answers what the session waits for now. "
        "Returns a ``TurnResult``; ``pending`` holds the confirmations left to the caller."
    )
    return {"run_turn": run_turn, "send_and_wait": send_and_wait, "run_tools": run_tools}


def tool_map(tools: Any) -> Optional[Dict[str, Any]]:
    """``tools`` as a dict of name -> callable: a dict as is, or a list of functions (named by
    their ``custom_tool`` definition, else by ``__name__``)."""
    if tools is None or isinstance(tools, dict):
        return tools
    if isinstance(tools, (str, bytes)) or not hasattr(tools, "__iter__"):
        from ._exceptions import InvalidArgumentError

        raise InvalidArgumentError(f"tools: expected a dict of tool name -> callable or a list of functions, got {type(tools).__name__}", param="tools")
    out: Dict[str, Any] = {}
    for f in tools:
        d = getattr(f, "definition", None)
        name = d["name"] if isinstance(d, dict) else getattr(f, "__name__", None)
        if not isinstance(name, str):
            from ._exceptions import InvalidArgumentError

            raise InvalidArgumentError(f"tools: {f!r} has no name; pass a dict instead", param="tools")
        out[name] = f
    return out
