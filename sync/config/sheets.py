"""policies/sheets/<sheet>.yml: one schema per sheet (Table Schema's vocabulary, extended).

References to other files (a list, a threshold, a field of the same sheet) are validators that
read the validation context: {"lists": names, "unreadable": names, "thresholds": {...},
"fields": names of this sheet}.
"""
from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import (AfterValidator, BeforeValidator, Field, PlainValidator, ValidationInfo, create_model,
                      model_validator)

from .. import expr
from .objects import fold
from .base import (KEBAB, SNAKE, Bilingual, Flag, Model, Number, Severity, across, fail, fail_all, matching,
                   named_as_file, one_of)

TYPES = ("string", "integer", "number", "boolean", "date", "time", "datetime", "enum")


def _context(info: ValidationInfo, key: str) -> Any:
    return (info.context or {}).get(key)


def _list_ref(value, info: ValidationInfo):
    lists, unreadable = _context(info, "lists"), _context(info, "unreadable") or set()
    if value is not None and lists is not None and value not in lists and value not in unreadable:
        fail("unknown-list", f"unknown list {value!r}; expected one of {', '.join(sorted(lists))}")
    return value


def _field_ref(value, info: ValidationInfo):
    names = _context(info, "fields")
    if names is not None and value not in names:
        fail("unknown-field", f"unknown field {value!r}")
    return value


def _threshold_ref(value, info: ValidationInfo):
    thresholds = _context(info, "thresholds")
    if isinstance(value, dict) and thresholds is not None and value.get("threshold") not in thresholds:
        fail("unknown-threshold", f"unknown threshold {value.get('threshold')!r}")
    return value


def _condition(value, info: ValidationInfo) -> expr.Condition:
    try:
        return expr.parse(value, _context(info, "fields") or set(), _context(info, "thresholds") or {})
    except expr.ExprError as exc:
        fail("bad-condition", str(exc))


def _regex(value):
    if value is not None:
        try:
            re.compile(value)
        except (re.error, TypeError) as exc:
            fail("bad-pattern", f"not a regular expression: {exc}")
    return value


FieldName = Annotated[str, AfterValidator(_field_ref)]
# Parsed once, here: a rule's conditions reach the policy as the validator read them.
Condition = Annotated[expr.Condition, PlainValidator(_condition, json_schema_input_type=str)]
Conditions = Annotated[list[Condition], BeforeValidator(lambda v: [v] if isinstance(v, str) else v or [])]


class Constraints(Model):
    required: bool = False
    unique: bool = False
    minimum: Number | None = None
    maximum: Number | None = None
    pattern: Annotated[str | None, BeforeValidator(_regex)] = None


class EnumValue(Model):
    model_config = Model.model_config | {"extra": "allow"}
    id: str
    zh: str
    en: str


class FieldSpec(Model):
    name: Annotated[str, Field(pattern=SNAKE.pattern),
                    matching(SNAKE.match, "not-a-name", "expected a lower-case name such as 'fever'; got {value}")]
    type: Annotated[str, one_of(TYPES, "unknown-type")] = Field(json_schema_extra={"enum": list(TYPES)})
    title: Bilingual
    description: Bilingual | None = None
    pii: Flag = False
    public: Flag = Field(False, description="published on purpose (a duty roster's names)")
    reference: Annotated[str | None, AfterValidator(_list_ref)] = None
    constraints: Constraints = Constraints()
    values: list[EnumValue] = []
    default: Annotated[Any, AfterValidator(_threshold_ref)] = None
    decimalSlip: Flag = False
    aliases: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        found: list[tuple[tuple, str, str]] = []
        if self.type == "enum" and not self.values:
            found.append(((), "enum-without-values", "an enum needs values: [{id: ..., zh: ..., en: ...}]"))
        if self.pii and self.public:
            found.append((("public",), "pii-and-public", "a field cannot be both pii and public"))
        fail_all(found)
        return self


def _distinct_headers(fields: Any) -> list[tuple[tuple, str, str]]:
    found: list[tuple[tuple, str, str]] = []
    seen: dict[str, str] = {}
    for i, spec in enumerate(fields if isinstance(fields, list) else []):
        if not (isinstance(spec, dict) and isinstance(spec.get("name"), str)):
            continue
        title: dict = spec["title"] if isinstance(spec.get("title"), dict) else {}
        for header in [title.get("zh"), title.get("en"), spec["name"], *(spec.get("aliases") or [])]:
            if isinstance(header, str) and (other := seen.setdefault(fold(header), spec["name"])) != spec["name"]:
                found.append(((i,), "duplicate-header", f"header {header!r} is also a header of '{other}'"))
    return found


class RuleSpec(Model):
    code: Annotated[str, Field(pattern=KEBAB.pattern), matching(
        KEBAB.match, "not-a-code", "expected a kebab-case code such as 'fever-admitted'; got {value}")]
    severity: Severity = "error"
    column: FieldName
    when: Conditions = []
    check: Conditions
    message: Bilingual


def _count(value, info: ValidationInfo):
    thresholds = _context(info, "thresholds") or {}
    if not (isinstance(value, int) and not isinstance(value, bool)
            or isinstance(value, dict) and value.get("threshold") in thresholds):
        fail("bad-count", f"expected a whole number or {{threshold: name}}; got {value!r}")
    return value


def _field_list(value, info: ValidationInfo):
    names = _context(info, "fields")
    if not isinstance(value, list) or names is not None and any(v not in names for v in value):
        fail("unknown-field", f"unknown field(s) {value!r}")
    return value


# The cross-row checks (sync/validate/checks.py) and what each parameter names: a field, fields or a count.
CHECK_PARAMS: dict[str, dict[str, str]] = {
    "stock-below-zero": dict(date="field", item="field", direction="field", quantity="field"),
    "readings-per-day": dict(date="field", person="field", minimum="count"),
    "plan-times-per-day": dict(date="field", area="field"),
    "plan-concentration": dict(area="field", concentration="field"),
    "count-jump": dict(date="field", group="field", fields="fields"),
    "copied-forward": dict(date="field", group="field", fields="fields", days="count"),
    "unchanging-readings": dict(person="field", date="field", reading="field", days="count"),
}
_PARAMS = {"field": (FieldName, ...),
           "fields": (Annotated[list[str], BeforeValidator(_field_list)], ...),
           "count": (Annotated[Any, BeforeValidator(_count)], None)}
# One model per cross-row check of sync/validate/checks.py, told apart by `check:`.
CHECK_SPECS = tuple(create_model(f"Check_{name.replace('-', '_')}", __base__=Model,
                                 check=(Literal[name], ...),
                                 severity=(Literal["error", "warning"] | None, None),
                                 **{key: _PARAMS[kind] for key, kind in params.items()})  # type: ignore[call-overload]
                    for name, params in sorted(CHECK_PARAMS.items()))
CheckSpec = Annotated[Union[CHECK_SPECS], Field(discriminator="check")]  # type: ignore[valid-type]


class SheetSpec(Model):
    name: Annotated[str, BeforeValidator(named_as_file)]
    title: Bilingual
    description: Bilingual | None = None
    version: Any = None
    primaryKey: list[FieldName] = []
    missingValues: list[Any] = []
    fields: Annotated[list[FieldSpec], across(_distinct_headers)]
    rules: list[RuleSpec] = []
    checks: list[CheckSpec] = []
    countRuleBreakers: Flag = Field(False, description="rows that broke only the sheet's own rules still count")
    optional: Flag = Field(False, description="a workbook without this tab is not missing a sheet (the sign-off sheet)")

