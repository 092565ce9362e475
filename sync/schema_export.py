"""Export the sheet schemas as standard Table Schema JSON, so any Table Schema tool
(frictionless among them) can check the same CSV files.

What plain Table Schema cannot say (rules across fields and rows, forgiving parsing of
2020年2月11日 or 36.5℃) stays ours; references and enums become enum constraints listing
every accepted spelling. Field names are the headers as typed (Chinese by default).
"""
from __future__ import annotations

from typing import Any
from pathlib import Path

from . import policy as policy_mod
from .config.schema import write_schemas
from .vocabulary import BLANK, FALSE_WORDS, TRUE_WORDS, spellings

# Table Schema compares case-sensitively and without NFKC: every spelling the sync accepts.
TRUE_VALUES, FALSE_VALUES = spellings(TRUE_WORDS), spellings(FALSE_WORDS)
TYPES = {"string": "string", "enum": "string", "integer": "integer", "number": "number",
         "boolean": "boolean", "date": "date", "time": "time", "datetime": "datetime"}


def table_schema(sheet: policy_mod.Sheet, policy: policy_mod.Policy, headers: str = "zh") -> dict:
    def label(f):
        return f.name if headers == "id" else f.title[headers]

    fields = []
    for f in sheet.fields:
        out: dict[str, Any] = {"name": label(f), "title": f"{f.title['zh']} / {f.title['en']}", "type": TYPES[f.type],
               "x-id": f.name}
        if f.pii:
            out["x-pii"] = True
        if f.type in ("date", "time", "datetime"):
            out["format"] = "any"
        if f.type == "number":
            out["bareNumber"] = False
        if f.type == "boolean":
            out["trueValues"], out["falseValues"] = TRUE_VALUES, FALSE_VALUES
        constraints: dict[str, Any] = {k: v for k, v in (("required", f.required or None), ("unique", f.unique or None),
                                                        ("minimum", f.minimum), ("maximum", f.maximum),
                                                        ("pattern", f.pattern or None)) if v is not None}
        spellings = [[v["id"], v["zh"], v["en"]] for v in f.values]
        if f.reference:
            spellings = [[i["id"], i["zh"], i["en"], *(i.get("aliases") or [])]
                         for i in policy.lists[f.reference].items]
        if spellings:
            constraints["enum"] = sorted({str(s) for group in spellings for s in group})
        if constraints:
            out["constraints"] = constraints
        fields.append(out)
    schema = {"name": sheet.name, "title": f"{sheet.title['zh']} / {sheet.title['en']}", "fields": fields,
              "missingValues": [BLANK] + sheet.missing_values}
    if sheet.primary_key:
        schema["primaryKey"] = [label(sheet.field(k)) for k in sheet.primary_key]
    return schema


def export(policies: str | Path, directory: str | Path, headers: str = "zh") -> list[Path]:
    policy = policy_mod.load(policies)
    return write_schemas(directory, {name: table_schema(sheet, policy, headers)
                                     for name, sheet in sorted(policy.sheets.items())})
