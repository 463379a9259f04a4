#!/usr/bin/env python3
"""Generates ``python/qoder_cloud/_resources.pyi`` (typed namespaces) from the operation table.

The run-time namespaces are built from the same table (``qoder_cloud._resources``), so the stubs
and the methods cannot drift; ``tests/test_stubs.py`` checks that the committed file is current.

    python scripts/gen_stubs.py          # rewrite the stub
    python scripts/gen_stubs.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, List

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "python" / "qoder_cloud" / "_resources.pyi"

ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
from gen_types import Gen  # noqa: E402  (the schema's type mapping, shared with the TypedDicts)

#: docs/schema.json's definitions, and each operation's arguments definition (`params`).
DEFS: Dict[str, Any] = json.loads((ROOT / "docs" / "schema.json").read_text())["$defs"]
PARAMS: Dict[str, str] = {
    o["name"]: o["params"] for o in json.loads((ROOT / "core" / "operations.json").read_text()) if o.get("params")
}
TYPES = Gen(DEFS)
TYPES.params()  # names the inline shapes param_ty refers to

COMMON = [
    ("workspace_id", "Optional[str]"),
    ("betas", "Optional[Sequence[str]]"),
]
#: Python type of each kind of option in the core's option table (`_native.call_options`).
OPTION_TYPES = {
    "duration": "Optional[float]",
    "count": "Optional[int]",
    "text": "Optional[str]",
    "flag": "bool",
    "pairs": "Optional[Mapping[str, object]]",
    "object": "Optional[Mapping[str, object]]",
    "texts": "Optional[Sequence[str]]",
}


def options(stream: bool) -> List[Any]:
    """(name, Python type) of the per-call (or stream) options, from the core's table."""
    from qoder_cloud import _native

    return [(n, OPTION_TYPES[k]) for n, k in _native.call_options(stream)]


def arg_types(op: Dict[str, Any]) -> Dict[str, str]:
    """Argument name → Python type, from the operation's params definition in the schema."""
    name = PARAMS.get(op["name"])
    if not name:
        return {}
    props = DEFS[name].get("properties", {})
    return {f: TYPES.param_ty(s, name, f) for f, s in props.items()}


def params_of(op: Dict[str, Any], pos: str | None) -> List[str]:
    out: List[str] = []
    seen = {pos}
    for p in op["path_params"]:
        if p not in seen:
            out.append(f"{p}: str")
            seen.add(p)
    types = arg_types(op)
    names = list(op["required"]) + list(types)
    for n in names:
        if n in seen or not n.isidentifier():
            continue
        seen.add(n)
        t = types.get(n, "Any")
        if n in op["required"]:
            out.append(f"{n}: {t}")
        else:
            out.append(f"{n}: {t if t.startswith('Optional[') else f'Optional[{t}]'} = ...")
    for n, t in COMMON:
        if n not in seen:
            seen.add(n)
            out.append(f"{n}: {t} = ...")
    for n, t in (options(True) if op["response"] == "stream" else []) + options(False):
        if n not in seen:
            seen.add(n)
            out.append(f"{n}: {t} = ...")
    return out


def method(op: Dict[str, Any], is_async: bool, result_class: Any, positional: Any) -> List[str]:
    name = op["method_name"]
    pos = positional(op)
    kind = op["response"]
    cls = result_class(op)
    cls_name = cls.__name__ if cls is not None else "BaseModel"
    if cls_name == "Event":
        cls_name = "SessionEvent"
    args = ["self"]
    if pos:
        args.append(f"{pos}: str")
    rest = params_of(op, pos)
    special = op["name"]
    if special == "files.upload":
        rest = ["file: FileTypes", "name: Optional[str] = ...", "filename: Optional[str] = ...",
                "metadata: Optional[MetadataParam] = ...", "expires_in_seconds: Optional[int] = ...",
                "purpose: Optional[str] = ..."] + [r for r in rest if r.split(":")[0] in dict(COMMON + options(False))]
    elif special in ("skills.create", "skills.versions.create"):
        extra = ["files: Optional[Sequence[FileTypes]] = ...", "directory: Optional[StrPath] = ..."]
        if special == "skills.create":
            extra += ["display_title: Optional[str] = ...", "metadata: Optional[MetadataParam] = ..."]
        rest = extra + [r for r in rest if r.split(":")[0] in dict(COMMON + options(False))]
    sig = ", ".join(args + (["*"] + rest if rest else []))
    if kind in ("page", "models_page"):
        ret = f"AsyncPaginator[{cls_name}]" if is_async else f"SyncPage[{cls_name}]"
        return [f"    def {name}({sig}) -> {ret}: ..."]
    if kind == "stream":
        ret = "AsyncEventStream" if is_async else "EventStream"
        return [f"    def {name}({sig}) -> {ret}: ..."]
    if kind in ("binary", "download_link"):
        ret = "AsyncBinaryResponse" if is_async else "BinaryResponse"
    elif kind == "optional_object":
        ret = f"Optional[{cls_name}]"
    else:
        ret = cls_name
    prefix = "async def" if is_async else "def"
    return [f"    {prefix} {name}({sig}) -> {ret}: ..."]


TURN = """\
    {d} run_turn(self, session_id: str, text: str, *, event_deltas: bool = ..., on_event: Optional[Callable[[SessionEvent], object]] = ..., idle_timeout: Optional[float] = ..., max_reconnect_attempts: Optional[int] = ..., timeout: Optional[float] = ..., max_retries: Optional[int] = ..., idempotency_key: Optional[str] = ..., extra_headers: Optional[Mapping[str, str]] = ..., total_timeout: Optional[float] = ...) -> TurnResult: ...
    {d} send_and_wait(self, session_id: str, *, events: Sequence[InputEventParam], event_deltas: bool = ..., on_event: Optional[Callable[[SessionEvent], object]] = ..., idle_timeout: Optional[float] = ..., max_reconnect_attempts: Optional[int] = ..., timeout: Optional[float] = ..., max_retries: Optional[int] = ..., idempotency_key: Optional[str] = ..., extra_headers: Optional[Mapping[str, str]] = ..., total_timeout: Optional[float] = ...) -> TurnResult: ...
    {d} run_tools(self, session_id: str, text: Optional[str] = ..., *, events: Optional[Sequence[InputEventParam]] = ..., tools: Union[Mapping[str, Callable[..., Any]], Sequence[Callable[..., Any]], None] = ..., confirm: Optional[Callable[[SessionEvent], Union[bool, str, None, Awaitable[Union[bool, str, None]]]]] = ..., allow_tools: Optional[Sequence[str]] = ..., deny_tools: Optional[Sequence[str]] = ..., deny_message: Optional[str] = ..., event_deltas: bool = ..., on_event: Optional[Callable[[SessionEvent], object]] = ..., idle_timeout: Optional[float] = ..., max_reconnect_attempts: Optional[int] = ..., timeout: Optional[float] = ..., max_retries: Optional[int] = ..., extra_headers: Optional[Mapping[str, str]] = ..., total_timeout: Optional[float] = ...) -> TurnResult: ..."""


def generate() -> str:
    sys.path.insert(0, str(HERE.parent / "python"))
    from qoder_cloud import _resources as r

    lines = [
        "# Generated by scripts/gen_stubs.py from the core's operation table. Do not edit.",
        "from datetime import datetime",
        "from os import PathLike",
        "from typing import IO, Any, Awaitable, Callable, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Union",
        "",
        "from ._native import AsyncBinaryResponse, AsyncEventStream, BinaryResponse, EventStream",
        "from ._pagination import AsyncPaginator, SyncPage",
        "from .types import *",
        "from .types._generated import *",
        "from .types._generated import FileTypes, StrPath",
        "",
        "OPERATIONS: List[Dict[str, Any]]",
        "ALIASES: Dict[str, str]",
        "NAMESPACES: List[str]",
        "ASYNC_CLASSES: Dict[str, type]",
        "SYNC_CLASSES: Dict[str, type]",
        "CALL_OPTIONS: Tuple[str, ...]",
        "STREAM_OPTIONS: Tuple[str, ...]",
        "def namespace_class_name(namespace: str, is_async: bool) -> str: ...",
        "def result_class(op: Dict[str, Any]) -> Any: ...",
        "def positional_param(op: Dict[str, Any]) -> Optional[str]: ...",
        "def build_namespace_classes(is_async: bool) -> Dict[str, type]: ...",
        "",
    ]
    for is_async in (True, False):
        for ns in r.NAMESPACES:
            cname = r.namespace_class_name(ns, is_async)
            lines.append(f"class {cname}:")
            children = sorted({n[len(ns) + 1 :].split(".")[0] for n in r.NAMESPACES if n.startswith(ns + ".")})
            body: List[str] = []
            for ch in children:
                body.append(f"    {ch}: {r.namespace_class_name(ns + '.' + ch, is_async)}")
            ops = [op for op in r.OPERATIONS if op["namespace"] == ns]
            for op in ops:
                body.extend(method(op, is_async, r.result_class, r.positional_param))
            for alias, target in r.ALIASES.items():
                a_ns, a_meth = alias.rsplit(".", 1)
                if a_ns == ns:
                    t_meth = target.rsplit(".", 1)[1]
                    op = next(o for o in ops if o["method_name"] == t_meth)
                    alias_lines = method(op, is_async, r.result_class, r.positional_param)
                    body.extend(line.replace(f" {t_meth}(", f" {a_meth}(", 1) for line in alias_lines)
            if ns == "sessions":
                body.extend(TURN.format(d="async def" if is_async else "def").splitlines())
            lines.extend(body or ["    ..."])
            lines.append("")
    return "\n".join(lines) + "\n"


def main() -> int:
    text = generate()
    if "--check" in sys.argv:
        current = OUT.read_text() if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date: run scripts/gen_stubs.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
