"""One vocabulary (sync/vocabulary.py): what the Table Schema export, the rule language and
init-sheets are told is exactly what the sync accepts."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from conftest import POLICIES
from sync import expr, policy, vocabulary
from sync.schema_export import table_schema
from sync.validate.parse import ParseError, normalize, parse_boolean


def _boolean_field():
    p = policy.load(POLICIES)
    for sheet in p.sheets.values():
        for field in table_schema(sheet, p)["fields"]:
            if field["type"] == "boolean":
                return field
    raise AssertionError("no boolean field in the bundled sheets")


def test_the_export_lists_exactly_the_words_the_sync_accepts():
    field = _boolean_field()
    for value in field["trueValues"]:
        assert parse_boolean(value) is True, value
    for value in field["falseValues"]:
        assert parse_boolean(value) is False, value
    accepted = {word for word, meaning in vocabulary.BOOLEANS.items() if meaning}
    assert {v.casefold() for v in field["trueValues"]} == accepted
    assert {v.casefold() for v in field["falseValues"]} == set(vocabulary.BOOLEANS) - accepted
    for word in ("✔", "对", "✘", "错", "1.0", "0.0", "Yes", "NO"):       # missing from the export before
        assert word in field["trueValues"] + field["falseValues"]


@given(st.text(max_size=6))
def test_a_typed_word_is_a_boolean_exactly_when_the_export_says_so(text):
    field = _EXPORTED
    word = normalize(text)
    try:
        value = parse_boolean(text)
    except ParseError:
        assert word.casefold() not in {v.casefold() for v in field["trueValues"] + field["falseValues"]}
    else:
        assert word.casefold() in {v.casefold() for v in (field["trueValues"] if value else field["falseValues"])}


@pytest.mark.parametrize("word, number", [("yes", 1.0), ("是", 1.0), ("✔", 1.0), ("No", 0.0), ("否", 0.0)])
def test_rules_compare_with_the_same_words(word, number):
    condition = expr.parse(f"admitted == {word}", {"admitted"}, {})
    assert condition.operand == expr.Operand("number", number)


def test_the_help_is_the_parsers_message():
    with pytest.raises(ParseError) as caught:
        parse_boolean("maybe")
    assert (caught.value.expected_zh, caught.value.expected_en) == vocabulary.EXPECTED["boolean"]


_EXPORTED = _boolean_field()
