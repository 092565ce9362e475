"""The meta-schema of policies/: what each file may hold, checked key by key.

Problems are collected, never raised one at a time, so an author sees them all at once.
"""
from __future__ import annotations

import re
import zoneinfo
from pathlib import Path

from . import expr
from .errors import ConfigError
from .issues import CATALOGUE
from .policy import (GUARDS, JOBS, KEBAB, LIST_EXTRAS, SNAKE, THRESHOLDS, TYPES, CrossCheck, Field, RefList,
                     Rule, Sheet, fold, line_of, read_yaml)
from .validate.checks import CHECKS

SHEET_KEYS = {"name", "title", "description", "primaryKey", "missingValues", "fields", "rules", "checks",
              "version", "countRuleBreakers", "optional"}
FIELD_KEYS = {"name", "type", "title", "description", "pii", "public", "reference", "constraints", "values", "default",
              "decimalSlip", "aliases"}
CONSTRAINT_KEYS = {"required", "unique", "minimum", "maximum", "pattern"}
RULE_KEYS = {"code", "severity", "column", "when", "check", "message"}
CAMPUS_KEYS = {"name", "timezone", "thresholds", "status_tab", "private_tab", "guards", "schedule", "hold",
               "cross_checks", "signoff"}
HH_MM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _path_text(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class Checker:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[str] = []
        self._lines: dict[Path, dict] = {}
        self.unreadable: set[str] = set()   # stems of list files that failed to load: no echoes about them

    def problem(self, path: Path, keys: tuple, message: str) -> None:
        number = line_of(self._lines.get(path, {}), keys)
        line = f":{number}" if number else ""
        where = f": {_path_text(keys)}" if keys else ""
        self.problems.append(f"{path}{line}{where}: {message}")

    def _load(self, path: Path):
        try:
            data, lines = read_yaml(path)
        except ConfigError as exc:
            self.problems.extend(exc.problems)
            return None
        self._lines[path] = lines
        if not isinstance(data, dict):
            self.problem(path, (), "expected a mapping of keys at the top of the file")
            return None
        return data

    def _keys(self, path, keys, data, allowed, required=()):
        for key in data:
            if key not in allowed:
                self.problem(path, keys + (key,), f"unknown key; expected one of {', '.join(sorted(allowed))}")
        for key in required:
            if key not in data:
                self.problem(path, keys, f"missing key '{key}'")

    def _bilingual(self, path, keys, value, required=True):
        if value is None and not required:
            return
        if not (isinstance(value, dict) and isinstance(value.get("zh"), str) and isinstance(value.get("en"), str)):
            self.problem(path, keys, f"expected {{zh: ..., en: ...}}; got {value!r}")

    def campus(self, path: Path) -> dict:
        data = self._load(path) or {}
        self._keys(path, (), data, CAMPUS_KEYS, required=("name", "timezone", "thresholds"))
        self._bilingual(path, ("name",), data.get("name"))
        for key in ("status_tab", "private_tab"):
            self._bilingual(path, (key,), data.get(key), required=False)
        try:
            zoneinfo.ZoneInfo(str(data.get("timezone")))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.problem(path, ("timezone",), f"unknown time zone {data.get('timezone')!r}; e.g. Asia/Shanghai")
        self._guards(path, data.get("guards"))
        self._schedule(path, data.get("schedule"))
        self._hold(path, data.get("hold"))
        if data.get("signoff", "off") not in ("off", False, "required"):     # YAML reads a bare off as false
            self.problem(path, ("signoff",), f"expected required or off; got {data['signoff']!r}")
        thresholds = data.get("thresholds")
        if not isinstance(thresholds, dict):
            self.problem(path, ("thresholds",), "expected a mapping of thresholds")
            data["thresholds"] = {}
            return data
        self._keys(path, ("thresholds",), thresholds, set(THRESHOLDS), required=tuple(THRESHOLDS))
        for key, kind in THRESHOLDS.items():
            value = thresholds.get(key)
            if value is None:
                continue
            if kind == "HH:MM":
                if not (isinstance(value, str) and HH_MM.fullmatch(value)):
                    self.problem(path, ("thresholds", key), f"expected a time such as \"10:00\"; got {value!r}")
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (
                    kind is int and not isinstance(value, int)):
                self.problem(path, ("thresholds", key), f"expected a {'whole ' if kind is int else ''}number "
                                                        f">= 0; got {value!r}")
        return data

    def _guards(self, path: Path, guards) -> None:
        """Optional; each key defaults to policy.GUARDS."""
        if guards is None:
            return
        if not isinstance(guards, dict):
            self.problem(path, ("guards",), "expected a mapping such as {max_row_loss: 0.2, max_errors: 100}")
            return
        self._keys(path, ("guards",), guards, set(GUARDS))
        loss, errors = guards.get("max_row_loss", 0), guards.get("max_errors", 0)
        if isinstance(loss, bool) or not isinstance(loss, (int, float)) or not 0 <= loss <= 1:
            self.problem(path, ("guards", "max_row_loss"), f"expected a share between 0 and 1, e.g. 0.2; got {loss!r}")
        if isinstance(errors, bool) or not isinstance(errors, int) or errors < 0:
            self.problem(path, ("guards", "max_errors"), f"expected a whole number >= 0; got {errors!r}")

    def _hold(self, path: Path, hold) -> None:
        """Optional: the issue codes whose value is held out of the public outputs (which codes exist
        is checked against the sheets' rules by held_codes, once they are loaded)."""
        if hold is None:
            return
        if not isinstance(hold, list) or any(not isinstance(c, str) or not KEBAB.match(c) for c in hold):
            self.problem(path, ("hold",), f"expected a list of issue codes such as [count-jump, decimal-slip]; got {hold!r}")

    def held_codes(self, path: Path, hold, sheets: dict, cross_checks: list) -> None:
        """Each held code must be one the program, a sheet's rule or a cross-check can raise."""
        if not isinstance(hold, list):
            return
        known = set(CATALOGUE) | {r.code for s in sheets.values() for r in s.rules} | {c.code for c in cross_checks}
        for i, code in enumerate(hold):
            if isinstance(code, str) and KEBAB.match(code) and code not in known:
                self.problem(path, ("hold", i), f"unknown issue code {code!r}; expected one of {', '.join(sorted(known))}")

    def cross_checks(self, path: Path, data, sheets: dict, thresholds: dict) -> list[CrossCheck]:
        from .policy_cross import cross_checks
        return cross_checks(self, path, data, sheets, thresholds)

    def _schedule(self, path: Path, schedule) -> None:
        """Optional: [{at: "HH:MM", jobs: [remind, run, build]}], campus time."""
        if schedule is None:
            return
        if not isinstance(schedule, list):
            self.problem(path, ("schedule",), 'expected a list such as [{at: "10:15", jobs: [run, build]}]')
            return
        times = set()
        for i, slot in enumerate(schedule):
            keys = ("schedule", i)
            if not isinstance(slot, dict):
                self.problem(path, keys, f'expected {{at: "HH:MM", jobs: [...]}}; got {slot!r}')
                continue
            self._keys(path, keys, slot, {"at", "jobs"}, required=("at", "jobs"))
            at, jobs = slot.get("at"), slot.get("jobs")
            if "at" in slot and not (isinstance(at, str) and HH_MM.fullmatch(at)):
                self.problem(path, keys + ("at",), f'expected a time such as "10:15" (quoted); got {at!r}')
            elif at in times:
                self.problem(path, keys + ("at",), f"{at} is already scheduled: list its jobs once")
            times.add(at)
            if "jobs" in slot and (not isinstance(jobs, list) or not jobs):
                self.problem(path, keys + ("jobs",), f"expected a list of jobs, some of {', '.join(JOBS)}")
                continue
            for k, job in enumerate(jobs or []):
                if job not in JOBS:
                    self.problem(path, keys + ("jobs", k), f"unknown job {job!r}; expected one of {', '.join(JOBS)}")

    def ref_list(self, path: Path) -> RefList | None:
        data = self._load(path)
        if data is None:
            self.unreadable.add(path.stem)
            return None
        name = data.get("name")
        if not (isinstance(name, str) and SNAKE.match(name)):
            self.problem(path, ("name",), f"expected a lower-case name such as 'units'; got {name!r}")
            return None
        self._bilingual(path, ("title",), data.get("title"))
        items = data.get("items")
        if not isinstance(items, list) or not items:
            self.problem(path, ("items",), "expected a non-empty list of items")
            return None
        ref = RefList(name=name, title=data.get("title") or {}, items=[], path=str(path),
                      extra={k: v for k, v in data.items() if k not in ("name", "title", "items")})
        allowed = {"id", "zh", "en", "aliases"} | LIST_EXTRAS.get(name, set())
        for i, item in enumerate(items):
            keys = ("items", i)
            if not isinstance(item, dict):
                self.problem(path, keys, f"expected {{id: ..., zh: ..., en: ...}}; got {item!r}")
                continue
            self._keys(path, keys, item, allowed, required=("id", "zh", "en"))
            if not (isinstance(item.get("id"), str) and SNAKE.match(item["id"])):
                self.problem(path, keys + ("id",), f"expected a lower-case id such as 'north_a'; got {item.get('id')!r}")
                continue
            self._list_extras(path, keys, name, item)
            for label in [item["id"], item.get("zh"), item.get("en"), *(item.get("aliases") or [])]:
                if label is None:
                    continue
                owner = ref.lookup.setdefault(fold(label), item["id"])
                if owner != item["id"]:
                    self.problem(path, keys, f"name {label!r} is also used by '{owner}': names must be unambiguous")
            ref.items.append(item)
        return ref

    def _list_extras(self, path, keys, name, item):
        if name == "areas":
            if not (isinstance(item.get("times_per_day"), int) and item["times_per_day"] >= 1):
                self.problem(path, keys + ("times_per_day",), "expected a whole number >= 1")
            conc = item.get("concentration")
            if conc is not None and not (isinstance(conc, list) and len(conc) == 2
                                         and all(isinstance(c, (int, float)) for c in conc) and conc[0] <= conc[1]):
                self.problem(path, keys + ("concentration",), f"expected [min, max] in mg/L or null; got {conc!r}")
        if name == "units":
            emails = item.get("email")
            for k, address in enumerate(emails if isinstance(emails, list) else [emails] if emails is not None else []):
                if not (isinstance(address, str) and EMAIL.fullmatch(address)):
                    self.problem(path, keys + ("email",) + ((k,) if isinstance(emails, list) else ()),
                                 f"expected an e-mail address such as office@example.edu.cn; got {address!r}")
            contact = item.get("contact")
            if contact is not None and not (isinstance(contact, str) and contact.strip()):
                self.problem(path, keys + ("contact",), f"expected the chat user id to @mention; got {contact!r}")
        if name == "supplies" and not isinstance(item.get("min_stock"), (int, float)):
            self.problem(path, keys + ("min_stock",), "expected a number")

    def sheet(self, path: Path, lists: dict, thresholds: dict) -> Sheet | None:
        data = self._load(path)
        if data is None:
            return None
        self._keys(path, (), data, SHEET_KEYS, required=("name", "title", "fields"))
        if data.get("name") != path.stem:
            self.problem(path, ("name",), f"expected '{path.stem}' (the file name); got {data.get('name')!r}")
        self._bilingual(path, ("title",), data.get("title"))
        fields = [self._field(path, i, f, lists, thresholds) for i, f in enumerate(data.get("fields") or [])]
        fields = [f for f in fields if f]
        names = {f.name for f in fields}
        seen_headers: dict[str, str] = {}
        for f in fields:
            for header in f.headers():
                other = seen_headers.setdefault(fold(header), f.name)
                if other != f.name:
                    self.problem(path, ("fields", f.index), f"header {header!r} is also a header of '{other}'")
        for flag in ("countRuleBreakers", "optional"):
            if not isinstance(data.get(flag, False), bool):
                self.problem(path, (flag,), f"expected true or false; got {data[flag]!r}")
        sheet = Sheet(name=str(data.get("name")), title=data.get("title") or {}, fields=fields, path=str(path),
                      missing_values=[str(v) for v in data.get("missingValues") or []],
                      count_rule_breakers=data.get("countRuleBreakers") is True, optional=data.get("optional") is True)
        for i, key in enumerate(data.get("primaryKey") or []):
            if key not in names:
                self.problem(path, ("primaryKey", i), f"unknown field '{key}'")
        sheet.primary_key = [k for k in data.get("primaryKey") or [] if k in names]
        for i, rule in enumerate(data.get("rules") or []):
            parsed = self._rule(path, ("rules", i), rule, names, thresholds)
            if parsed:
                sheet.rules.append(parsed)
        for i, check in enumerate(data.get("checks") or []):
            if self._check(path, ("checks", i), check, names, thresholds):
                sheet.checks.append(check)
        return sheet

    def _field(self, path, index, data, lists, thresholds) -> Field | None:
        keys = ("fields", index)
        if not isinstance(data, dict):
            self.problem(path, keys, f"expected a field mapping; got {data!r}")
            return None
        self._keys(path, keys, data, FIELD_KEYS, required=("name", "type", "title"))
        name, kind = data.get("name"), data.get("type")
        ok = True
        if not (isinstance(name, str) and SNAKE.match(name)):
            self.problem(path, keys + ("name",), f"expected a lower-case name such as 'fever'; got {name!r}")
            ok = False
        if kind not in TYPES:
            self.problem(path, keys + ("type",), f"expected one of {', '.join(TYPES)}; got {kind!r}")
            kind = "string"     # keep the field's name known, so rules that use it raise no echo
        self._bilingual(path, keys + ("title",), data.get("title"))
        self._bilingual(path, keys + ("description",), data.get("description"), required=False)
        constraints = data.get("constraints") or {}
        if not isinstance(constraints, dict):
            self.problem(path, keys + ("constraints",), "expected a mapping")
            constraints = {}
        self._keys(path, keys + ("constraints",), constraints, CONSTRAINT_KEYS)
        for bound in ("minimum", "maximum"):
            value = constraints.get(bound)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                self.problem(path, keys + ("constraints", bound), f"expected a number; got {value!r}")
        pattern = constraints.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                self.problem(path, keys + ("constraints", "pattern"), f"not a regular expression: {exc}")
        reference = data.get("reference")
        if reference is not None and reference not in lists and reference not in self.unreadable:
            self.problem(path, keys + ("reference",), f"unknown list {reference!r}; expected one of "
                                                       f"{', '.join(sorted(lists))}")
        values = data.get("values") or []
        if kind == "enum" and not values:
            self.problem(path, keys, "an enum needs values: [{id: ..., zh: ..., en: ...}]")
        for i, value in enumerate(values):
            if not (isinstance(value, dict) and {"id", "zh", "en"} <= set(value)):
                self.problem(path, keys + ("values", i), f"expected {{id: ..., zh: ..., en: ...}}; got {value!r}")
                values = []
        default = data.get("default")
        if isinstance(default, dict) and default.get("threshold") not in thresholds:
            self.problem(path, keys + ("default",), f"unknown threshold {default.get('threshold')!r}")
        if data.get("pii") and data.get("public"):
            self.problem(path, keys + ("public",), "a field cannot be both pii and public")
        for flag in ("pii", "public", "decimalSlip"):
            if flag in data and not isinstance(data[flag], bool):
                self.problem(path, keys + (flag,), f"expected true or false; got {data[flag]!r}")
        if not ok:
            return None
        return Field(name=name, type=kind, title=data.get("title") or {}, index=index, pii=bool(data.get("pii")),
                     public=bool(data.get("public")),
                     required=bool(constraints.get("required")), unique=bool(constraints.get("unique")),
                     minimum=constraints.get("minimum"), maximum=constraints.get("maximum"), pattern=pattern,
                     reference=reference if reference in lists else None, values=values, default=default,
                     decimal_slip=bool(data.get("decimalSlip")), aliases=list(data.get("aliases") or []),
                     description=data.get("description"))

    def _rule(self, path, keys, data, names, thresholds) -> Rule | None:
        start = len(self.problems)
        if not isinstance(data, dict):
            self.problem(path, keys, f"expected a rule mapping; got {data!r}")
            return None
        self._keys(path, keys, data, RULE_KEYS, required=("code", "column", "check", "message"))
        code, severity = data.get("code"), data.get("severity", "error")
        if not (isinstance(code, str) and KEBAB.match(code)):
            self.problem(path, keys + ("code",), f"expected a kebab-case code such as 'fever-admitted'; got {code!r}")
        if severity not in ("error", "warning"):
            self.problem(path, keys + ("severity",), f"expected error or warning; got {severity!r}")
        if data.get("column") not in names:
            self.problem(path, keys + ("column",), f"unknown field {data.get('column')!r}")
        self._bilingual(path, keys + ("message",), data.get("message"))
        parsed = {}
        for part in ("when", "check"):
            texts = data.get(part) or []
            texts = [texts] if isinstance(texts, str) else texts
            parsed[part] = []
            for i, text in enumerate(texts):
                try:
                    parsed[part].append(expr.parse(text, names, thresholds))
                except expr.ExprError as exc:
                    self.problem(path, keys + (part, i), str(exc))
        if len(self.problems) != start or not parsed["check"]:
            return None
        return Rule(code=code, severity=severity, column=data.get("column"), when=parsed["when"],
                    check=parsed["check"], message=data.get("message") or {})

    def _check(self, path, keys, data, names, thresholds) -> bool:
        name = data.get("check") if isinstance(data, dict) else None
        if name not in CHECKS:
            self.problem(path, keys + ("check",), f"unknown check {name!r}; expected one of {', '.join(sorted(CHECKS))}")
            return False
        params = CHECKS[name].params
        ok = True
        for key, value in data.items():
            if key in ("check", "severity"):
                continue
            kind = params.get(key)
            if kind is None:
                self.problem(path, keys + (key,), f"unknown parameter; {name} takes {', '.join(sorted(params))}")
                ok = False
            elif kind == "field" and value not in names or kind == "fields" and (
                    not isinstance(value, list) or any(v not in names for v in value)):
                self.problem(path, keys + (key,), f"unknown field(s) {value!r}")
                ok = False
            elif kind == "count" and not (isinstance(value, int) or isinstance(value, dict)
                                          and value.get("threshold") in thresholds):
                self.problem(path, keys + (key,), f"expected a whole number or {{threshold: name}}; got {value!r}")
                ok = False
        for key, kind in params.items():
            if kind in ("field", "fields") and key not in data:
                self.problem(path, keys, f"missing parameter '{key}'")
                ok = False
        return ok
