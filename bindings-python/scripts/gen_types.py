#!/usr/bin/env python3
"""Generates ``python/qoder_cloud/types/_generated.py`` from ``docs/schema.json``.

``docs/schema.json`` is the JSON Schema of the core's Rust models (``core/src/models/schema.rs``),
the one source of the event, content and nested object shapes. This script turns every event
type into a class with a ``type`` literal, unions into ``Union`` aliases (with an ``Unknown…``
arm when the union is open), and open string enums into ``str``. Request shapes (``…Param``) and
each operation's arguments (``…Params``, marked ``x-params``) become ``TypedDict`` classes for type
checkers (plain ``dict`` at run time); ``gen_stubs.py`` types the methods' keyword arguments with
:meth:`Gen.param_ty`.

    python scripts/gen_types.py          # rewrite the module
    python scripts/gen_types.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Set

HERE = Path(__file__).resolve().parent
SCHEMA = HERE.parents[1] / "docs" / "schema.json"
OUT = HERE.parent / "python" / "qoder_cloud" / "types" / "_generated.py"

#: Roots of what this module describes (result objects keep their classes in ``types``).
ROOTS = ["SessionEvent", "ContentBlock"]
#: Envelope fields every persisted event has, although input events are sent without them.
PERSISTED = {"id": "str"}
#: The list filters on creation time, declared once on a base TypedDict.
RANGE = "CreatedAtRangeParams"
RANGE_FIELDS = ("created_at_gt", "created_at_gte", "created_at_lt", "created_at_lte")


def ref_name(s: Dict[str, Any]) -> str:
    return s["$ref"].rsplit("/", 1)[1]


class Gen:
    def __init__(self, defs: Dict[str, Any]) -> None:
        self.defs = defs
        self.events: Set[str] = set()
        self.stream_only: Set[str] = set()
        ev = defs["SessionEvent"]
        for r in ev["oneOf"]:
            name = ref_name(r)
            self.events.add(name)
            if defs[name]["properties"]["type"]["const"] in ev.get("x-stream-only", []):
                self.stream_only.add(name)
        # The envelope: fields every event declares alike, written once on a shared base class
        # (persisted events narrow `id` to `str`: they always have one, previews may not).
        shapes = [{k: json.dumps(v, sort_keys=True) for k, v in defs[n]["properties"].items()} for n in self.events]
        self.envelope: Dict[str, Any] = {
            k: defs[next(iter(self.events))]["properties"][k]
            for k, v in shapes[0].items()
            if k != "type" and all(sh.get(k) == v for sh in shapes)
        }

    def reachable(self) -> List[str]:
        seen: List[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if "$ref" in node:
                    name = ref_name(node)
                    # Request shapes a result refers to are the params section's TypedDicts.
                    if name not in seen and not self.is_param(name):
                        seen.append(name)
                        walk(self.defs[name])
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        roots = ROOTS + [n for n, d in self.defs.items() if d.get("x-result")]
        for root in roots:
            if root not in seen:
                seen.append(root)
                walk(self.defs[root])
        return seen

    def kind(self, name: str) -> str:
        d = self.defs[name]
        if "oneOf" in d:
            return "union"
        if "anyOf" in d:
            return "alias"
        if d.get("type") == "string":
            return "enum"
        return "struct"

    def ty(self, s: Any) -> str:
        if s is True or not isinstance(s, dict):
            return "Any"
        if "$ref" in s:
            name = ref_name(s)
            return "str" if self.kind(name) == "enum" else name
        if "const" in s:
            return f"Literal[{json.dumps(s['const'])}]"
        for key in ("anyOf", "oneOf"):
            if key in s:
                arms = [a for a in s[key] if a.get("type") != "null"]
                inner = self.ty(arms[0]) if len(arms) == 1 else f"Union[{', '.join(self.ty(a) for a in arms)}]"
                return f"Optional[{inner}]" if len(arms) < len(s[key]) else inner
        t = s.get("type")
        if isinstance(t, list):
            rest = [x for x in t if x != "null"]
            inner = self.ty({**s, "type": rest[0]}) if len(rest) == 1 else "Any"
            return f"Optional[{inner}]" if "null" in t else inner
        if t == "array":
            return f"List[{self.ty(s.get('items', True))}]"
        if t == "object":
            return f"Dict[str, {self.ty(s.get('additionalProperties', True))}]"
        return {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}.get(t, "Any")

    def unknown_name(self, name: str) -> str:
        return "UnknownEvent" if name == "SessionEvent" else f"Unknown{name}"

    def doc(self, text: str, indent: str) -> List[str]:
        text = text.strip().replace("\\", "\\\\").replace('"""', "'''")
        lines = text.splitlines() or [""]
        if len(lines) == 1:
            return [f'{indent}"""{lines[0]}"""']
        return [f'{indent}"""{lines[0]}', *[f"{indent}{x}" if x else "" for x in lines[1:]], f'{indent}"""']

    def struct(self, name: str) -> List[str]:
        d = self.defs[name]
        props: Dict[str, Any] = d.get("properties", {})
        required = set(d.get("required", []))
        result = bool(d.get("x-result"))
        event = name in self.events
        base = ("PreviewEvent" if name in self.stream_only else "PersistedEvent") if event else "_Model" if result else "ModelShape"
        out = [f"class {name}({base}):"]
        out += self.doc(d.get("description", name), "    ")
        out.append("")
        if result:
            out.append("    __slots__ = ()")
        # No `_tag` line: the run-time class reads the tag from the `type` literal (`_kinds.py`).
        for field, fs in props.items():
            if keyword.iskeyword(field) or (event and (field in self.envelope or field in PERSISTED)):
                continue  # reachable as obj["..."]; envelope fields are declared on the base
            t = self.ty(fs)
            if field == "type" and d.get("x-object-type"):
                t = f"Literal[{json.dumps(d['x-object-type'])}]"  # the `type` every such object carries
            if fs.get("description"):
                for line in fs["description"].strip().splitlines():
                    out.append(f"    #: {line}".rstrip())
            out.append(f"    {field}: {t}")
        return out + ["", ""]

    def envelope_class(self) -> List[str]:
        out = ["class EventEnvelope(EventShape):"]
        out += self.doc("The fields every event carries (each event class adds its `type` and own fields).", "    ")
        out += ["", "    #: Matches every event at run time (no `type` is excluded).", "    _known: ClassVar[Optional[FrozenSet[str]]] = frozenset()"]
        for field, fs in self.envelope.items():
            for line in fs.get("description", "").strip().splitlines():
                out.append(f"    #: {line}".rstrip())
            out.append(f"    {field}: {self.ty(fs)}")
        out += ["", ""]
        for cls, doc, fields in (("PersistedEvent", "An event the server stored: its `id` is always set.", PERSISTED.items()),
                                 ("PreviewEvent", "A stream-only preview (not stored; `id` may be unset).", ())):
            out += [f"class {cls}(EventEnvelope):", *self.doc(doc, "    "), *(["", *[f"    {k}: {t}" for k, t in fields]] if fields else [])]
            out += ["", ""]
        return out

    def unknown(self, name: str) -> List[str]:
        d = self.defs[name]
        tags = sorted(self.defs[ref_name(r)]["properties"]["type"]["const"] for r in d["oneOf"])
        known = f"_known: ClassVar[Optional[FrozenSet[str]]] = frozenset({{{', '.join(json.dumps(t) for t in tags)}}})"
        doc = self.doc(f"A `{name}` of a type this version does not model: every field is kept as sent.", "    ")
        if name != "SessionEvent":  # `type` and `__getattr__` come from the shared base
            return [f"class {self.unknown_name(name)}(UnknownShape):", *doc, f"    {known}", "", ""]
        return [
            "class UnknownEvent(EventEnvelope):", *doc, "", f"    {known}",
            "    #: Typed as a placeholder so that `.type == \"…\"` narrows the union (as in TypeScript);",
            "    #: at run time it is the server's type string, also `obj[\"type\"]` (typed `Any`).",
            "    type: Literal[\"<unknown>\"]", "", "    def __getattr__(self, name: str) -> Any: ...", "", "",
        ]

    # ---- request shapes (``…Param``) and operation arguments (``…Params``) ----

    @staticmethod
    def comment(text: str, indent: str) -> List[str]:
        return [f"{indent}#: {line}".rstrip() for line in text.strip().splitlines()]

    def is_param(self, name: str) -> bool:
        return name.endswith("Param") or name.endswith("Params")

    def param_ty(self, s: Any, owner: str = "", field: str = "") -> str:
        """The Python type users pass for schema ``s`` (inputs: sequences, mappings, datetimes)."""
        if s is True or not isinstance(s, dict):
            return "Any"
        if "$ref" in s:
            name = ref_name(s)
            d = self.defs[name]
            if not self.is_param(name):
                return "Any" if "oneOf" in d or "anyOf" in d else self.param_ty(d, owner, field)
            return name
        if "const" in s:
            return f"Literal[{json.dumps(s['const'])}]"
        for key in ("anyOf", "oneOf"):
            if key in s:
                arms = [a for a in s[key] if a.get("type") != "null"]
                tys: List[str] = []
                for i, a in enumerate(arms):
                    t = self.inline_name(owner, field, a, i) if self.is_inline_object(a) else self.param_ty(a, owner, field)
                    if t not in tys:
                        tys.append(t)
                inner = tys[0] if len(tys) == 1 else f"Union[{', '.join(tys)}]"
                return f"Optional[{inner}]" if len(arms) < len(s[key]) else inner
        t = s.get("type")
        if isinstance(t, list):
            rest = [x for x in t if x != "null"]
            inner = self.param_ty({**s, "type": rest[0]}, owner, field) if len(rest) == 1 else "Any"
            return f"Optional[{inner}]" if "null" in t else inner
        if s.get("x-upload") or s.get("contentEncoding") == "binary":
            return "FileTypes"
        if t == "string":
            if "enum" in s:  # a nullable enum lists null too; the type list made it Optional already
                return f"Literal[{', '.join(json.dumps(v) for v in s['enum'] if v is not None)}]"
            if s.get("format") == "date-time":
                return "Union[str, datetime]"
            return "str"
        if t == "array":
            return f"Sequence[{self.param_ty(s.get('items', True), owner, field)}]"
        if t == "object":
            if self.is_inline_object(s):
                return self.inline_name(owner, field, s, 0)
            extra = s.get("additionalProperties", True)
            return f"Mapping[str, {self.param_ty(extra, owner, field) if isinstance(extra, dict) else 'Any'}]"
        return {"integer": "int", "number": "float", "boolean": "bool"}.get(t, "Any")

    @staticmethod
    def is_inline_object(s: Any) -> bool:
        return isinstance(s, dict) and s.get("type") == "object" and bool(s.get("properties"))

    def inline_name(self, owner: str, field: str, s: Dict[str, Any], i: int) -> str:
        """A name for an object shape written inline in a param def (an arm of a tagged union)."""
        tag = s.get("properties", {}).get("type", {})
        label = tag.get("const") or (tag.get("enum") or [None])[0]
        suffix = "".join(w.capitalize() for w in str(label).replace(".", "_").split("_")) if label else f"{field.title().replace('_', '')}{i}"
        name = f"{owner}{suffix}"
        self.inline.setdefault(name, s)
        return name

    def typed_dict(self, name: str, d: Dict[str, Any]) -> List[str]:
        props: Dict[str, Any] = d.get("properties", {})
        required = set(d.get("required", []))
        fields = []
        for field, fs in props.items():
            t = self.param_ty(fs, name, field)
            fields.append((field, f"Required[{t}]" if field in required else t, fs.get("description", "")))
        if any(keyword.iskeyword(f) or not f.isidentifier() for f, _, _ in fields):
            body = ", ".join(f"{json.dumps(f)}: {t}" for f, t, _ in fields)
            return [f"    {name} = TypedDict({json.dumps(name)}, {{{body}}}, total=False)", ""]
        # List filters on creation time share one base (the four bounds, written once).
        base = "TypedDict"
        if name != RANGE and all(f in props for f in RANGE_FIELDS):
            base, fields = RANGE, [f for f in fields if f[0] not in RANGE_FIELDS]
        out = [f"    class {name}({base}, total=False):"]
        out += self.doc(d.get("description", name), "        ")
        for field, t, desc in fields:
            for line in desc.strip().splitlines():
                out.append(f"        #: {line}".rstrip())
            out.append(f"        {field}: {t}")
        return out + [""]

    def params(self) -> List[str]:
        """``TypedDict`` classes and aliases of every request shape, for type checkers."""
        self.inline: Dict[str, Dict[str, Any]] = {}
        out: List[str] = []
        names = sorted(n for n in self.defs if self.is_param(n))
        ranged = [n for n in names if all(f in self.defs[n].get("properties", {}) for f in RANGE_FIELDS)]
        if ranged:  # the base of the list filters on creation time, from the first that has them
            props = self.defs[ranged[0]]["properties"]
            out += self.typed_dict(RANGE, {"description": "Bounds on the creation time of listed objects (RFC 3339 or `datetime`).",
                                           "properties": {f: props[f] for f in RANGE_FIELDS}})
        # Classes first (their annotations are lazy), then the aliases, each after the aliases it
        # names: an alias is evaluated where it stands.
        aliases: Dict[str, str] = {}
        for name in names:
            d = self.defs[name]
            if d.get("type") == "object" and d.get("properties") and "oneOf" not in d and "anyOf" not in d:
                out += self.typed_dict(name, d)
            else:
                aliases[name] = self.param_ty(d, name, "")
        done: Set[str] = set()
        while len(done) < len(self.inline):
            for name in sorted(set(self.inline) - done):
                done.add(name)
                out += self.typed_dict(name, self.inline[name])
        pending = dict(aliases)
        while pending:
            ready = [n for n, t in pending.items() if not any(re.search(rf"\b{o}\b", t) for o in pending if o != n)]
            for name in ready or list(pending):  # a cycle (none today) would still be written
                d = self.defs[name]
                out += [*self.comment(d.get("description", name), "    "), f"    {name} = {pending.pop(name)}", ""]
        self.param_names = names + sorted(self.inline) + ([RANGE] if ranged else [])
        return out

    def render(self) -> str:
        names = self.reachable()
        head = [
            "# Generated by scripts/gen_types.py from docs/schema.json (the Rust models' schema). Do not edit.",
            '"""Event, content and nested object shapes, one class per `type`."""',
            "",
            "from __future__ import annotations",
            "",
            "from typing import TYPE_CHECKING, Any, ClassVar, Dict, FrozenSet, List, Literal, Optional, Union",
            "",
            "from .._native import Event as _Event",
            "from .._native import Model as _Model",
            "from ._kinds import EventShape, ModelShape, UnknownShape",
            "",
            "",
        ]
        classes: List[str] = self.envelope_class()
        aliases: List[str] = []
        # Unions exist for type checkers; at run time each is the native class all its arms share
        # (so `isinstance(x, SessionEvent)` and `SessionEvent({...})` keep working).
        unions: List[str] = []
        runtime: List[str] = []
        exported: List[str] = ["EventEnvelope", "PersistedEvent", "PreviewEvent"]
        for name in names:
            k = self.kind(name)
            d = self.defs[name]
            if k == "struct":
                classes += self.struct(name)
                exported.append(name)
            elif k == "enum":
                values = ", ".join(f"`{v}`" for v in d["enum"])
                aliases += [f"#: {d.get('description', name)} Known values: {values}; others are kept.", f"{name} = str", ""]
                exported.append(name)
            elif k == "alias":
                aliases += [f"#: {d.get('description', name)}", f"{name} = {self.ty({'anyOf': d['anyOf']})}", ""]
                exported.append(name)
            else:
                arms = [ref_name(r) for r in d["oneOf"]]
                if d.get("x-open"):
                    classes += self.unknown(name)
                    exported.append(self.unknown_name(name))
                if name == "SessionEvent":
                    persisted = [a for a in arms if a not in self.stream_only]
                    previews = [a for a in arms if a in self.stream_only]
                    unions += ["    #: A persisted session or thread event (list results, stream items), tagged by `type`.",
                               f"    SessionEvent = Union[{', '.join(persisted + [self.unknown_name(name)])}]",
                               "    #: What a stream yields: persisted events and, when asked for, previews.",
                               f"    SessionStreamEvent = Union[SessionEvent, {', '.join(previews)}]"]
                    runtime += ["    SessionEvent = SessionStreamEvent = _Event"]
                    exported += ["SessionEvent", "SessionStreamEvent"]
                else:
                    extra = [self.unknown_name(name)] if d.get("x-open") else []
                    unions += [f"    #: {d.get('description', name)}", f"    {name} = Union[{', '.join(arms + extra)}]"]
                    runtime += [f"    {name} = _Model"]
                    exported.append(name)
        registry = [f'    "{d["x-object-type"]}": {n},' for n, d in self.defs.items() if d.get("x-object-type")]
        aliases += ["#: ``type`` of a result object → its class (results whose operation does not fix the class).",
                    "MODEL_TYPES: Dict[str, type] = {", *registry, "}", ""]
        params = self.params()
        exported += self.param_names
        aliases += [
            "if TYPE_CHECKING:",
            "    from datetime import datetime",
            "    from os import PathLike",
            "    from typing import IO, Mapping, Sequence, Tuple",
            "",
            "    from typing_extensions import Required, TypedDict",
            "",
            "    StrPath = Union[str, PathLike[str]]",
            "    FileContent = Union[bytes, bytearray, IO[bytes], StrPath]",
            "    #: What an upload argument accepts: bytes, a binary file, a path, or `(filename, content[, mime type])`.",
            "    FileTypes = Union[FileContent, Tuple[str, FileContent], Tuple[str, FileContent, str]]",
            "",
            *unions,
            "",
            "    # Request shapes and operation arguments: TypedDicts for type checkers, plain dicts at run time.",
            *params,
            "else:",
            *runtime,
            *[f"    {n} = dict" for n in self.param_names],
            "",
        ]
        body = head + classes + aliases
        body += ["__all__ = [", *[f'    "{n}",' for n in exported], "]", ""]
        return "\n".join(body)


def main() -> int:
    defs = json.loads(SCHEMA.read_text())["$defs"]
    text = Gen(defs).render()
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} is stale: run python scripts/gen_types.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
