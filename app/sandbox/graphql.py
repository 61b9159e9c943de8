"""Just enough GraphQL for sandbox networks: parse one query operation (variables,
aliases, arguments, nested selections; no fragments or directives) and project records
onto the requested selection, with graphql-java style validation messages."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

TOKEN = re.compile(
    r"""
    (?P<skip>[\s,\ufeff]+|\#[^\n]*)
  | (?P<spread>\.\.\.)
  | (?P<punct>[{}()\[\]:!$=@])
  | (?P<block>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
""",
    re.VERBOSE,
)


class GraphQLError(Exception):
    pass


@dataclass
class Field:
    name: str
    alias: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    selections: list[Field] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.alias or self.name


class _Variable(str):
    pass


def _tokens(source: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(source):
        match = TOKEN.match(source, pos)
        if match is None:
            raise GraphQLError(f"Invalid Syntax : offending token '{source[pos]}' at {pos}")
        pos = match.end()
        kind = match.lastgroup or ""
        if kind != "skip":
            out.append((kind, match.group()))
    return out


class _Parser:
    def __init__(self, source: str, variables: Mapping[str, Any]) -> None:
        self.tokens = _tokens(source)
        self.pos = 0
        self.variables = dict(variables)

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("eof", "")

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        tok_kind, tok = self.peek()
        if (value is not None and tok != value) or (kind is not None and tok_kind != kind):
            raise GraphQLError(f"Invalid Syntax : offending token '{tok or '<EOF>'}'")
        self.pos += 1
        return tok

    def document(self) -> list[Field]:
        tok = self.peek()[1]
        if tok in ("query", "mutation", "subscription"):
            self.take()
            if self.peek()[0] == "name":
                self.take()
            if self.peek()[1] == "(":
                self.variable_definitions()
        selections = self.selection_set()
        if self.peek()[0] != "eof":
            raise GraphQLError("Only one operation per request is supported")
        return selections

    def variable_definitions(self) -> None:
        self.take("(")
        while self.peek()[1] != ")":
            self.take("$")
            name = self.take(kind="name")
            self.take(":")
            required = self.type_ref()
            default = None
            if self.peek()[1] == "=":
                self.take("=")
                default = self.value(const=True)
            if name not in self.variables:
                if required and default is None:
                    raise GraphQLError(f"Variable '{name}' has an invalid value : null")
                self.variables[name] = default
        self.take(")")

    def type_ref(self) -> bool:
        if self.peek()[1] == "[":
            self.take("[")
            self.type_ref()
            self.take("]")
        else:
            self.take(kind="name")
        if self.peek()[1] == "!":
            self.take("!")
            return True
        return False

    def selection_set(self) -> list[Field]:
        self.take("{")
        fields = []
        while self.peek()[1] != "}":
            if self.peek()[0] == "spread":
                raise GraphQLError("Fragments are not supported by the sandbox")
            fields.append(self.field())
        self.take("}")
        return fields

    def field(self) -> Field:
        name, alias = self.take(kind="name"), None
        if self.peek()[1] == ":":
            self.take(":")
            alias, name = name, self.take(kind="name")
        args: dict[str, Any] = {}
        if self.peek()[1] == "(":
            self.take("(")
            while self.peek()[1] != ")":
                arg = self.take(kind="name")
                self.take(":")
                args[arg] = self.value()
            self.take(")")
        if self.peek()[1] == "@":
            raise GraphQLError("Directives are not supported by the sandbox")
        selections = self.selection_set() if self.peek()[1] == "{" else []
        return Field(name, alias, args, selections)

    def value(self, const: bool = False) -> Any:
        kind, tok = self.peek()
        if tok == "$" and not const:
            self.take("$")
            name = self.take(kind="name")
            if name not in self.variables:
                raise GraphQLError(f"Undefined variable '{name}'")
            return self.variables[name]
        if tok == "[":
            self.take("[")
            items = []
            while self.peek()[1] != "]":
                items.append(self.value(const))
            self.take("]")
            return items
        if tok == "{":
            self.take("{")
            obj = {}
            while self.peek()[1] != "}":
                key = self.take(kind="name")
                self.take(":")
                obj[key] = self.value(const)
            self.take("}")
            return obj
        self.take()
        if kind in ("string", "block"):
            return json.loads(tok) if kind == "string" else tok[3:-3]
        if kind == "number":
            return float(tok) if any(c in tok for c in ".eE") else int(tok)
        if kind == "name":
            return {"true": True, "false": False, "null": None}.get(tok, tok)
        raise GraphQLError(f"Invalid Syntax : offending token '{tok}'")


def parse(query: str, variables: Mapping[str, Any] | None = None) -> list[Field]:
    """The top-level fields of the (single) operation in `query`."""
    return _Parser(query, variables or {}).document()


Schema = Mapping[str, Any]  # field name -> None (scalar) or (type name, nested Schema)


def validate(fields: list[Field], schema: Schema, type_name: str, path: str) -> None:
    for f in fields:
        if f.name == "__typename":
            continue
        if f.name not in schema:
            raise GraphQLError(
                f"Validation error (FieldUndefined@[{path}/{f.name}]) : Field '{f.name}' "
                f"in type '{type_name}' is undefined"
            )
        nested = schema[f.name]
        if nested is None and f.selections:
            raise GraphQLError(
                f"Validation error (SubselectionNotAllowed@[{path}/{f.name}])"
                f" : Sub selection not allowed on leaf type of field '{f.name}'"
            )
        if nested is not None:
            if not f.selections:
                raise GraphQLError(
                    f"Validation error (SubselectionRequired@[{path}/{f.name}])"
                    f" : Sub selection required for type '{nested[0]}' of field "
                    f"'{f.name}'"
                )
            validate(f.selections, nested[1], nested[0], f"{path}/{f.name}")


def project(value: Any, fields: list[Field], schema: Schema, type_name: str) -> Any:
    """`value` (a dict, a list of dicts or None) cut down to the selection."""
    if value is None:
        return None
    if isinstance(value, list):
        return [project(v, fields, schema, type_name) for v in value]
    out: dict[str, Any] = {}
    for f in fields:
        if f.name == "__typename":
            out[f.key] = type_name
        elif schema[f.name] is None:
            out[f.key] = value.get(f.name)
        else:
            nested_type, nested = schema[f.name]
            out[f.key] = project(value.get(f.name), f.selections, nested, nested_type)
    return out
