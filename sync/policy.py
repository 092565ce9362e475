"""The policies the stages read: the campus, its reference lists and one schema per sheet.

sync/config/ defines them (config/objects.py) and checks every file before it builds them
(load); every mistake is reported at once with its file, line and key path, e.g.
``policies/sheets/gate_log.yml:18: fields[5].type: ...``. The stages import them from here.
"""
from __future__ import annotations

from .config import load_policy as load
from .config.objects import DATES, CrossCheck, Field, Policy, RefList, Rule, Sheet, Side, fold
from .yamlfile import read_yaml

__all__ = ["DATES", "CrossCheck", "Field", "Policy", "RefList", "Rule", "Sheet", "Side", "fold", "load", "read_yaml"]
