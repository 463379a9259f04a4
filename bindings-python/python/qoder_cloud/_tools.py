"""Custom tool definitions from typed Python functions.

``@custom_tool`` reads a function's signature and docstring: each parameter becomes a property
of the input schema (its annotation gives the JSON Schema type, a parameter without a default
is required), the docstring's first paragraph becomes the description, and an ``Args:`` (Google)
or ``:param x:`` (Sphinx) entry describes its parameter. The definition is checked by the core
(name 1-128 characters, description at most 4,096, schema of type ``object``) and kept on the
function as ``.definition``; the function itself is unchanged, so it can be passed as a handler
to ``sessions.run_tools``.
"""

from __future__ import annotations

import enum
import inspect
import json
import re
import types as _pytypes
import typing
from typing import Any, Callable, Dict, Generic, Optional, ParamSpec, Protocol, Tuple, TypeVar, Union, overload

from . import _native
from ._exceptions import InvalidArgumentError

P = ParamSpec("P")
R = TypeVar("R", covariant=True)


class CustomTool(Protocol, Generic[P, R]):
    """A function decorated with :func:`custom_tool`: callable as before, plus its definition."""

    definition: Dict[str, Any]

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...

_SCALARS: Dict[Any, Dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
}


def json_schema(tp: Any) -> Dict[str, Any]:
    """The JSON Schema of a type annotation (``Any`` and unknown classes: no constraint)."""
    if tp in _SCALARS:
        return dict(_SCALARS[tp])
    if tp is Any or tp is inspect.Parameter.empty:
        return {}
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    out: Dict[str, Any]
    if origin is typing.Annotated:
        out = json_schema(args[0])
        notes = [a for a in args[1:] if isinstance(a, str)]
        if notes:
            out["description"] = " ".join(notes)
        return out
    if origin is typing.Literal:
        out = {"enum": list(args)}
        kinds = {type(a) for a in args}
        if len(kinds) == 1 and next(iter(kinds)) in _SCALARS:
            out.update(_SCALARS[next(iter(kinds))])
        return out
    if origin is Union or (hasattr(_pytypes, "UnionType") and origin is getattr(_pytypes, "UnionType")):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return json_schema(rest[0])
        return {"anyOf": [json_schema(a) for a in args]}
    if origin in (list, tuple, set, frozenset) or tp in (list, tuple, set, frozenset):
        out = {"type": "array"}
        if args and not (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
            if origin is tuple:
                out["prefixItems"] = [json_schema(a) for a in args]
            else:
                out["items"] = json_schema(args[0])
        elif args:
            out["items"] = json_schema(args[0])
        return out
    if origin is dict or tp is dict:
        out = {"type": "object"}
        if len(args) == 2:
            out["additionalProperties"] = json_schema(args[1])
        return out
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [m.value for m in tp]}
    if isinstance(tp, type) and typing.is_typeddict(tp):
        hints = typing.get_type_hints(tp, include_extras=True)
        required = sorted(getattr(tp, "__required_keys__", hints.keys()))
        return {"type": "object", "properties": {k: json_schema(v) for k, v in hints.items()}, "required": required}
    return {}


def _doc_parts(doc: str) -> Tuple[str, Dict[str, str]]:
    """(description, {param: text}) from a Google- or Sphinx-style docstring."""
    doc = inspect.cleandoc(doc or "")
    params: Dict[str, str] = {}
    for m in re.finditer(r"^:param\s+(?:\S+\s+)?(\w+):\s*(.+)$", doc, re.M):
        params[m.group(1)] = m.group(2).strip()
    section = re.search(r"^(?:Args|Arguments|Parameters):\s*\n((?:[ \t]+.*\n?)+)", doc, re.M)
    if section:
        for m in re.finditer(r"^[ \t]+(\w+)(?:\s*\([^)]*\))?:\s*(.+)$", section.group(1), re.M):
            params.setdefault(m.group(1), m.group(2).strip())
    description = doc.split("\n\n", 1)[0].strip()
    if re.match(r"^(Args|Arguments|Parameters|Returns|:param)", description):
        description = ""
    return " ".join(description.split()), params


def definition_of(fn: Callable[..., Any], name: Optional[str] = None, description: Optional[str] = None) -> Dict[str, Any]:
    """The ``custom`` tool definition of a typed function (see the module docs)."""
    try:
        sig = inspect.signature(fn)
        hints = typing.get_type_hints(fn, include_extras=True)
    except (TypeError, ValueError, NameError) as e:
        raise InvalidArgumentError(f"custom_tool: cannot read the signature of {fn!r}: {e}", param="fn") from e
    doc_description, param_docs = _doc_parts(fn.__doc__ or "")
    properties: Dict[str, Any] = {}
    required = []
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name == "self":
            continue
        if p.kind is p.POSITIONAL_ONLY:
            raise InvalidArgumentError(f"custom_tool: parameter {p.name!r} of {fn.__name__} is positional-only; tools are called with keyword arguments", param="fn")
        schema = json_schema(hints.get(p.name, Any))
        if p.name in param_docs and "description" not in schema:
            schema["description"] = param_docs[p.name]
        if p.default is not p.empty:
            try:
                schema["default"] = json.loads(json.dumps(p.default))
            except (TypeError, ValueError):  # a default JSON cannot carry is simply not advertised
                pass
        else:
            required.append(p.name)
        properties[p.name] = schema
    input_schema: Dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        input_schema["required"] = required
    tool_name = name if name is not None else fn.__name__
    text = description if description is not None else doc_description
    return _native.custom_tool(tool_name, text, input_schema)


@overload
def custom_tool(fn: Callable[P, R]) -> CustomTool[P, R]: ...
@overload
def custom_tool(*, name: Optional[str] = None, description: Optional[str] = None) -> Callable[[Callable[P, R]], CustomTool[P, R]]: ...
@overload
def custom_tool(*, name: str, description: str, input_schema: Dict[str, Any]) -> Dict[str, Any]: ...
def custom_tool(
    fn: Optional[Callable[..., Any]] = None,
    *,
    name: Optional[str] = None,
    description: Optional[str] = None,
    input_schema: Optional[Dict[str, Any]] = None,
) -> Any:
    """Defines a client-executed (``custom``) tool for an agent's ``tools`` list.

    As a decorator (``@custom_tool`` or ``@custom_tool(name=..., description=...)``) it builds the
    definition from the function's annotations and docstring and stores it as
    ``fn.definition``; pass ``fn.definition`` to ``agents.create(tools=[...])`` and ``fn`` to
    ``sessions.run_tools(tools=[fn])``. With ``name``, ``description`` and ``input_schema`` it
    returns the checked definition itself.
    """
    if input_schema is not None:
        if fn is not None or name is None or description is None:
            raise InvalidArgumentError("custom_tool: an explicit input_schema needs name and description, and no function", param="input_schema")
        return _native.custom_tool(name, description, input_schema)

    def wrap(f: Any) -> Any:
        if not callable(f):
            raise InvalidArgumentError(f"custom_tool: expected a function, got {type(f).__name__}", param="fn")
        setattr(f, "definition", definition_of(f, name, description))
        return f

    return wrap(fn) if fn is not None else wrap
