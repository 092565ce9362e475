"""The small condition language of sheet rules, e.g. ``temperature >= threshold.fever``.

A condition is ``<field> <op> <operand>``, ``<field> in [a, b]``, ``<field> is blank`` or
``<field> is not blank``. An operand is a number, yes/no, ``today``, ``threshold.<name>``
or another field of the same sheet.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .vocabulary import BOOLEANS

OPERATORS = ("==", "!=", ">=", "<=", ">", "<")
_COMPARE = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*(==|!=|>=|<=|>|<)\s*(\S+)\s*$")
_IN = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s+in\s+\[([^\]]*)\]\s*$")
_BLANK = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s+is\s+(not\s+)?blank\s*$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class ExprError(ValueError):
    pass


@dataclass(frozen=True)
class Operand:
    kind: str            # number | field | today | threshold
    value: object        # float, field name, or threshold name


@dataclass(frozen=True)
class Condition:
    field: str
    op: str              # one of OPERATORS, "in", "blank", "not-blank"
    operand: Operand | None = None
    choices: tuple[str, ...] = ()

    @property
    def fields(self) -> set[str]:
        names = {self.field}
        if self.operand and self.operand.kind == "field":
            names.add(str(self.operand.value))
        return names


def parse(text: str, field_names: set[str], thresholds: dict) -> Condition:
    """Parse one condition; raise ExprError with a message fit for the policies author."""
    if not isinstance(text, str):
        raise ExprError(f"expected a condition such as 'fever == 0'; got {text!r}")
    if m := _BLANK.match(text):
        _known(m.group(1), field_names)
        return Condition(m.group(1), "not-blank" if m.group(2) else "blank")
    if m := _IN.match(text):
        _known(m.group(1), field_names)
        choices = tuple(c.strip().strip("'\"") for c in m.group(2).split(",") if c.strip())
        if not choices:
            raise ExprError(f"'{text}': the list after 'in' is empty")
        return Condition(m.group(1), "in", choices=choices)
    if m := _COMPARE.match(text):
        name, op, word = m.groups()
        _known(name, field_names)
        return Condition(name, op, _operand(word, field_names, thresholds))
    raise ExprError(f"'{text}' is not a condition: use '<field> <op> <value>' with op one of "
                    f"{' '.join(OPERATORS)}, '<field> in [a, b]' or '<field> is [not] blank'")


def _operand(word: str, field_names: set[str], thresholds: dict) -> Operand:
    if _NUMBER.match(word):
        return Operand("number", float(word))
    if word.casefold() in BOOLEANS:        # the words a boolean cell may hold
        return Operand("number", float(BOOLEANS[word.casefold()]))
    if word == "today":
        return Operand("today", None)
    if word.startswith("threshold."):
        name = word.split(".", 1)[1]
        if name not in thresholds:
            raise ExprError(f"unknown threshold '{name}'; campus.yml has: {', '.join(sorted(thresholds))}")
        return Operand("threshold", name)
    if word in field_names:
        return Operand("field", word)
    raise ExprError(f"'{word}' is neither a field of this sheet, a number, yes/no, today nor threshold.<name>")


def _known(name: str, field_names: set[str]) -> None:
    if name not in field_names:
        raise ExprError(f"unknown field '{name}'")
