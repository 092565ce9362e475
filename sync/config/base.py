"""What every config model shares: forbidden extra keys, our own messages, and the mapping of a
model's error locations to `file:line: key.path: message` through the YAML node lines.

pydantic validates the shapes (a library does that); the campus rules are validators on the
models, and they report with `fail(code, message)` so the author reads our wording, not pydantic's.
"""
from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Annotated, Any, Callable, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo, WrapValidator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from ..errors import ConfigError
from ..yamlfile import line_of, read_yaml

SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
HH_MM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


class Model(BaseModel):
    """A config mapping: unknown keys are mistakes, and keys are spelt as in the YAML."""
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


def fail(code: str, message: str, at: tuple = ()) -> typing.NoReturn:
    """Raise a validation error with our own code and message (no pydantic wording, no templating);
    `at` points below the validated value (a list's validator naming one of its items)."""
    raise PydanticCustomError(code, "{message}", {"message": message, "at": at})


def _error(code: str, message: str, loc: tuple, value: Any) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(code, "{message}", {"message": message}), loc=loc, input=value)


def named_as_file(value: Any, info: ValidationInfo) -> Any:
    """A file's `name:` is its file name (the loader passes the stem in the validation context)."""
    stem = (info.context or {}).get("stem")
    if stem is not None and value != stem:
        fail("name-not-file", f"expected '{stem}' (the file name); got {value!r}")
    return value


def checked(test: Callable[[Any], Any], code: str, message: str, optional: bool = False) -> BeforeValidator:
    """A BeforeValidator that lets through only what test() accepts (and None when optional);
    message may use {value}."""
    def check(value):
        if not (optional and value is None or test(value)):
            fail(code, message.replace("{value}", repr(value)))
        return value
    return BeforeValidator(check)


def matching(match: Callable[[str], Any], code: str, message: str, optional: bool = False) -> BeforeValidator:
    """Text that a compiled pattern's match (or fullmatch) accepts."""
    return checked(lambda v: isinstance(v, str) and bool(match(v)), code, message, optional)


def one_of(choices: tuple, code: str, message: str = "", optional: bool = False) -> BeforeValidator:
    if not message:
        message = f"expected {' or '.join(choices) if len(choices) == 2 else 'one of ' + ', '.join(choices)}; got {{value}}"
    return checked(lambda v: v in choices, code, message, optional)


def at_least(minimum: float = 0, whole: bool = False, code: str = "not-a-number", message: str = "") -> BeforeValidator:
    kinds = (int,) if whole else (int, float)
    return checked(lambda v: isinstance(v, kinds) and not isinstance(v, bool) and v >= minimum, code,
                   message or f"expected a {'whole ' if whole else ''}number >= {minimum}; got {{value}}")


def non_empty(code: str, message: str) -> BeforeValidator:
    return checked(lambda v: isinstance(v, list) and bool(v), code, message)


def filled(code: str, message: str, optional: bool = False) -> BeforeValidator:
    """Text that is not blank."""
    return checked(lambda v: isinstance(v, str) and bool(v.strip()), code, message, optional)


def fail_all(found: list[tuple[tuple, str, str]], value: Any = None) -> None:
    """Raise every (where, code, message) of a model's own rules at once; nothing when found is empty."""
    if found:
        raise ValidationError.from_exception_data("rules", [_error(c, m, at, value) for at, c, m in found])


def across(find: Callable[[Any], list[tuple[tuple, str, str]]]) -> WrapValidator:
    """A rule across the items of a value (two slots at one time, a header used twice): find() reads
    the value as written and returns (where below it, code, message) for each problem. It runs even
    when some items are broken, and its problems join theirs, so every problem is reported at once."""
    def wrap(value: Any, handler: Callable[[Any], Any]) -> Any:
        errors: list[Any] = []
        try:
            result = handler(value)
        except ValidationError as exc:
            errors = [_again(e) for e in exc.errors()]
            result = None
        errors += [_error(code, message, at, value) for at, code, message in find(value)]
        if errors:     # in the order of the items, as an author reads them
            errors.sort(key=lambda e: e["loc"][0] if e["loc"] and isinstance(e["loc"][0], int) else -1)
            raise ValidationError.from_exception_data("across", errors)
        return result
    return WrapValidator(wrap)


def _again(error: Any) -> Any:
    """An error read from one ValidationError, fit to raise in another."""
    ctx = error.get("ctx") or {}
    if "message" in ctx:
        return InitErrorDetails(type=PydanticCustomError(error["type"], "{message}", ctx), loc=error["loc"],
                                input=error["input"])
    return {k: v for k, v in error.items() if k in ("type", "loc", "input", "ctx")}


Flag = Annotated[bool, checked(lambda v: isinstance(v, bool), "not-a-flag", "expected true or false; got {value}")]
Number = Annotated[float, checked(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "not-a-number",
                                  "expected a number; got {value}")]
Text = Annotated[str, filled("not-text", "expected text; got {value}")]
Severity = Annotated[Literal["error", "warning"], one_of(("error", "warning"), "bad-severity")]


class Bilingual(Model):
    """{zh: ..., en: ...}: every title and message is in both languages."""
    zh: str
    en: str

    @model_validator(mode="before")
    @classmethod
    def _both(cls, value: Any) -> Any:
        if not (isinstance(value, dict) and isinstance(value.get("zh"), str) and isinstance(value.get("en"), str)):
            fail("not-bilingual", f"expected {{zh: ..., en: ...}}; got {value!r}")
        return value


M = TypeVar("M", bound=BaseModel)


def read(path: Path, found: list[Problem]) -> tuple[Any, dict] | None:
    """A YAML file's data and key lines, or None with its problem added to found."""
    try:
        data, lines = read_yaml(path)
    except ConfigError as exc:
        found.extend(Problem.of(p) for p in exc.problems)
        return None
    if not isinstance(data, dict):
        found.append(problem(path, lines, (), "expected a mapping of keys at the top of the file", "not-a-mapping"))
        return None
    return data, lines


def check(model: type[M], data: Any, path: Path, lines: dict, found: list[Problem],
          context: dict | None = None) -> M | None:
    """The model of data, or None with every problem added to found."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        found.extend(problems(exc, model, data, path, lines))
        return None


def load_file(model: type[M], path: Path, found: list[Problem], context: dict | None = None) -> tuple[M | None, Any]:
    read_back = read(path, found)
    if read_back is None:
        return None, None
    data, lines = read_back
    return check(model, data, path, lines, found, context), data


# -- problems --------------------------------------------------------------------------------------

class Problem(str):
    """One problem of a config file: its one-line text (`file:line: key.path: message`), with the
    parts as data for `lint --format json`."""
    path: str
    line: int | None
    key: str
    code: str
    message: str

    def __new__(cls, path: str | Path, line: int | None, key: str, message: str, code: str = "invalid"):
        text = f"{path}{f':{line}' if line else ''}{f': {key}' if key else ''}: {message}"
        self = super().__new__(cls, text)
        self.path, self.line, self.key, self.code, self.message = str(path), line, key, code, message
        return self

    @classmethod
    def of(cls, text: str) -> Problem:
        """A problem written as text elsewhere (YAML syntax, a file that cannot be read)."""
        if isinstance(text, Problem):
            return text
        match = re.match(r"^(.+?)(?::(\d+))?: (.*)$", text, re.S)
        if not match:
            return cls("", None, "", text)
        return cls(match.group(1), int(match.group(2)) if match.group(2) else None, "", match.group(3))

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "key": self.key, "code": self.code, "message": self.message}


def key_text(keys: tuple | list) -> str:
    """The one key-path format of every message: fields[1].type, spreadsheets[0].tabs.gate_log."""
    out = ""
    for part in keys:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problem(path: str | Path, lines: dict, keys: tuple, message: str, code: str = "invalid") -> Problem:
    return Problem(path, line_of(lines, keys), key_text(keys), message, code)


def problems(exc: ValidationError, model: type[BaseModel], data: Any, path: str | Path,
             lines: dict) -> list[Problem]:
    """pydantic's errors as our problems, at the YAML line of each key path (unknown keys first)."""
    out = []
    errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    for error in errors:
        kind, loc = error["type"], error["loc"]
        keys, node = [], data
        for i, part in enumerate(loc):       # drop what is no key of the file (a union's tag)
            if isinstance(node, dict) and part in node:
                keys.append(part)
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                keys.append(part)
                node = node[part]
            elif i == len(loc) - 1 and kind in ("missing", "extra_forbidden"):
                keys.append(part)
        ctx = error.get("ctx") or {}
        keys += list(ctx.get("at", ()))
        code, message = kind.replace("_", "-"), error["msg"]
        if kind == "missing":
            code, message = "missing-key", f"missing key '{keys.pop()}'"
        elif kind == "extra_forbidden":
            allowed = _keys_at(model, loc[:-1])
            code, message = "unknown-key", "unknown key" + (f"; expected one of {', '.join(allowed)}" if allowed else "")
        elif kind == "union_tag_invalid":
            tag_key = str(ctx.get("discriminator", "")).strip("'")
            keys.append(tag_key)
            code, message = f"unknown-{tag_key}", (f"unknown {tag_key} {ctx.get('tag')!r}; expected one of "
                                                    f"{ctx.get('expected_tags', '').replace(chr(39), '')}")
        elif kind == "union_tag_not_found":
            code, message = "missing-key", f"missing key {ctx.get('discriminator', '')}".replace('"', "")
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            message = f"expected a mapping; got {error['input']!r}"
        elif kind == "list_type":
            message = f"expected a list; got {error['input']!r}"
        elif "message" not in ctx:     # pydantic's own wording, with what was found
            message = f"{message[0].lower()}{message[1:]}; got {error['input']!r}"
        out.append(problem(path, lines, tuple(keys), message, code))
    return out


def _keys_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys the model allows at a location (for 'unknown key; expected one of ...'), found by
    walking its JSON Schema: properties, items, mappings' values, a tagged union's member by its tag."""
    schema = model.model_json_schema()

    def resolve(node: dict) -> dict:
        while True:
            if "$ref" in node:
                node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
            elif "anyOf" in node and len(members := [m for m in node["anyOf"] if m.get("type") != "null"]) == 1:
                node = members[0]       # Optional's None apart
            else:
                return node
    node = resolve(schema)
    for part in loc:
        if "discriminator" in node:     # a tagged union: this part is the tag
            node = resolve({"$ref": node["discriminator"]["mapping"][part]})
        elif "properties" in node and part in node["properties"]:
            node = resolve(node["properties"][part])
        elif isinstance(part, int) and "items" in node:
            node = resolve(node["items"])
        elif isinstance(node.get("additionalProperties"), dict):
            node = resolve(node["additionalProperties"])
        else:
            return []
    return sorted(node.get("properties", {}))
