"""Config files as models: policies/ and the Google config, checked by pydantic models.

`load_policy(root)` reads every file of policies/ and reports every problem at once as
`file:line: key.path: message` (sync.errors.ConfigError whose problems are `Problem`s).
"""
from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from .objects import Field, Policy, RefList, Rule, Sheet, fold
from . import crosscheck
from .base import Problem, check, load_file, problem, read
from .campus import Campus, Dates, Guards
from .lists import LIST_FILES, RefListFile
from .sheets import FieldSpec, SheetSpec

__all__ = ["Problem", "check", "load_file", "load_list", "load_policy", "problem", "read"]


def load_policy(root: str | Path = "policies") -> Policy:
    """Read and check every file under root; raise ConfigError listing all problems."""
    root = Path(root)
    if not (root / "campus.yml").is_file():
        raise ConfigError([f"{root}: not a policies folder (no campus.yml)"])
    found: list[Problem] = []
    campus, lines = read(root / "campus.yml", found) or (None, {})
    campus_model = check(Campus, campus, root / "campus.yml", lines, found) if campus is not None else None
    thresholds = campus.get("thresholds") if isinstance(campus, dict) else None
    thresholds = thresholds if isinstance(thresholds, dict) else {}
    files = sorted((root / "lists").glob("*.yml")) + sorted((root / "plans").glob("*.yml"))
    lists: dict[str, RefList] = {}
    for ref in filter(None, (load_list(path, found) for path in files)):
        if ref.name in lists:
            found.append(Problem(ref.path, None, "", f"list name '{ref.name}' is also used by {lists[ref.name].path}",
                                 "duplicate-list"))
        lists[ref.name] = ref
    sheets = {s.name: s for s in (load_sheet(path, set(lists), {p.stem for p in files}, thresholds, found)
                                  for path in sorted((root / "sheets").glob("*.yml"))) if s}
    if not sheets and not found:
        found.append(Problem(root / "sheets", None, "", "no sheet schemas (*.yml) found", "no-sheets"))
    cross_checks = []
    if campus_model is not None and not found:     # the shape is the model's; sheets and fields here, once
        # every schema loaded (a broken one would echo as an unknown sheet)
        cross_checks = crosscheck.load(root / "campus.yml", lines, campus_model, sheets, thresholds, found)
    if found:
        raise ConfigError(found)
    assert campus is not None and campus_model is not None
    campus["guards"] = (campus_model.guards or Guards()).model_dump()
    campus["dates"] = (campus_model.dates or Dates()).model_dump()
    return Policy(root=root, campus=campus, lists=lists, sheets=sheets, cross_checks=cross_checks)


def load_list(path: Path, found: list[Problem]) -> RefList | None:
    """A reference list (its items' names folded for lookup), or None with its problems added to found."""
    read_back = read(path, found)
    if read_back is None:
        return None
    data, lines = read_back
    model = LIST_FILES.get(data.get("name"), RefListFile) if isinstance(data.get("name"), str) else RefListFile
    if check(model, data, path, lines, found) is None:
        return None
    ref = RefList(name=data["name"], title=data["title"], items=data["items"], path=str(path),
                  extra={k: v for k, v in data.items() if k not in ("name", "title", "items")})
    for item in ref.items:
        for label in [item["id"], item["zh"], item["en"], *(item.get("aliases") or [])]:
            ref.lookup.setdefault(fold(label), item["id"])
    return ref


def load_sheet(path: Path, lists: set[str], unreadable: set[str], thresholds: dict,
               found: list[Problem]) -> Sheet | None:
    read_back = read(path, found)
    if read_back is None:
        return None
    data, lines = read_back
    fields = data.get("fields") if isinstance(data.get("fields"), list) else []
    names = {f["name"] for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)}
    context = {"lists": lists, "unreadable": unreadable - lists, "thresholds": thresholds, "fields": names,
               "stem": path.stem}
    spec = check(SheetSpec, data, path, lines, found, context)
    if spec is None:
        return None
    return Sheet(name=spec.name, title=data["title"], path=str(path),
                 fields=[_field(i, f, data["fields"][i]) for i, f in enumerate(spec.fields)],
                 primary_key=list(spec.primaryKey), missing_values=[str(v) for v in spec.missingValues],
                 count_rule_breakers=spec.countRuleBreakers, optional=spec.optional,
                 rules=[Rule(code=r.code, severity=r.severity, column=r.column, when=list(r.when), check=list(r.check),
                             message=raw["message"]) for r, raw in zip(spec.rules, data.get("rules") or [])],
                 checks=list(data.get("checks") or []))


def _field(index: int, spec: FieldSpec, raw: dict) -> Field:
    c, limits = spec.constraints, raw.get("constraints", {})
    return Field(name=spec.name, type=spec.type, title=raw["title"], index=index, pii=spec.pii, public=spec.public,
                 required=c.required, unique=c.unique, minimum=limits.get("minimum"), maximum=limits.get("maximum"),
                 pattern=c.pattern, reference=spec.reference, values=list(raw.get("values") or []),
                 default=spec.default, decimal_slip=spec.decimalSlip, aliases=list(spec.aliases),
                 description=raw.get("description"))
