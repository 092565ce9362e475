"""The words a cell may use, defined once: yes and no, blanks, the units shown beside a
threshold, and the help that says what each type expects.

sync/validate/parse.py reads cells with these words, the rule language (sync/expr.py) accepts
the yes/no words as operands, init-sheets writes the help and the yes/no dropdown from them,
and the Table Schema export lists them, so what another tool is told is what the sync accepts.
"""
from __future__ import annotations

# Yes and no, compared after NFKC and casefold; the first of each is what a dropdown offers.
TRUE_WORDS = ("是", "有", "对", "y", "yes", "true", "1", "1.0", "✓", "√", "✔")
FALSE_WORDS = ("否", "无", "错", "n", "no", "false", "0", "0.0", "✗", "×", "✘")
BOOLEANS: dict[str, bool] = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}

# A cell is blank when it is empty or holds only whitespace (U+3000 and NBSP included); a sheet
# schema may add its own `missingValues` (e.g. "-", "无").
BLANK = ""

# What each type expects, as the help of a column (init-sheets) and of a cell that failed (zh, en).
EXPECTED: dict[str, tuple[str, str]] = {
    "integer": ("整数，如 12", "a whole number such as 12"),
    "number": ("数字，如 36.5", "a number such as 36.5"),
    "boolean": ("是 或 否", "yes or no (是/否)"),
    "date": ("日期，如 2020-02-11", "a date such as 2020-02-11"),
    "time": ("时间，如 08:30", "a time such as 08:30"),
    "datetime": ("日期和时间，如 2020-02-11 08:30", "a date and time such as 2020-02-11 08:30"),
    "string": ("文字", "text"),
    "enum": ("从列表中选择", "one of the list"),
}

# The unit shown after a threshold of campus.yml on the site.
# By page language: a page is in one language ("14 天" or "14 days", never "14 天 days").
THRESHOLD_UNITS = {"fever": {"zh": " ℃", "en": " ℃"}, "isolation_days": {"zh": " 天", "en": " days"},
                   "min_cover_days": {"zh": " 天", "en": " days"}}


def spellings(words: tuple[str, ...]) -> list[str]:
    """Every spelling of the words a case-sensitive tool must be given (yes, Yes, YES)."""
    return list(dict.fromkeys(form for word in words for form in (word, word.capitalize(), word.upper())))
