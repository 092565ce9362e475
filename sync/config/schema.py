"""`python -m sync schema policies DIR`: each config model's JSON Schema, for editors.

With the YAML language server (VS Code's YAML extension, and others), a file names its schema
in a first-line comment and the editor completes keys and marks mistakes as the office types.
The references between files (a list name, a field of the sheet) are checked by `lint` only.
"""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .campus import Campus
from .google import GoogleFile
from .lists import AreasFile, BatchesFile, RefListFile, SuppliesFile, UnitsFile
from .pages import Contacts, NoticeMeta, PlanMeta, PlanTable
from .sheets import SheetSpec

# Schema file stem -> (model, the files it describes).
MODELS: dict[str, tuple[type[BaseModel], str]] = {
    "campus": (Campus, "policies/campus.yml"),
    "list": (RefListFile, "policies/lists/*.yml (and notices/audiences.yml) except those below"),
    "units": (UnitsFile, "policies/lists/units.yml"),
    "supplies": (SuppliesFile, "policies/lists/supplies.yml"),
    "batches": (BatchesFile, "policies/lists/batches.yml"),
    "areas": (AreasFile, "policies/plans/disinfection.yml"),
    "sheet": (SheetSpec, "policies/sheets/*.yml"),
    "notice": (NoticeMeta, "the front matter of policies/notices/*.md"),
    "plan": (PlanMeta, "the front matter of policies/plans/contingency/*.md"),
    "plan-table": (PlanTable, "policies/plans/contingency/*.yml"),
    "contacts": (Contacts, "policies/contacts.yml"),
    "google": (GoogleFile, "the Google source's config (e.g. google.yml)"),
}


def json_schema(name: str) -> dict:
    model, files = MODELS[name]
    schema = model.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{name}.schema.json",
            **schema, "description": f"{files}. {(model.__doc__ or '').strip()}".strip()}


def write(directory: str | Path) -> list[Path]:
    return write_schemas(directory, {name: json_schema(name) for name in MODELS})


def write_schemas(directory: str | Path, schemas: dict[str, dict]) -> list[Path]:
    """Each schema as DIRECTORY/<name>.schema.json, the stable way (sorted keys, indented)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas.items():
        path = directory / f"{name}.schema.json"
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written
