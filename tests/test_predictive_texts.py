"""A text column held as codes reads, picks, counts and encodes like the list it replaces."""

from __future__ import annotations

import math

import numpy as np

from silverplatter.domain.predictive_features import (
    OTHER,
    FeatureTable,
    category_codes,
    encode,
    learn_features,
)
from silverplatter.domain.predictive_texts import TextColumn


def test_database_values_become_texts_with_empty_as_none() -> None:
    column = TextColumn.of(["fi", None, "", "se", "fi"])
    assert column.values == ("fi", "se")
    assert column.codes.tolist() == [0, -1, -1, 1, 0]
    assert list(column) == ["fi", None, None, "se", "fi"]
    assert column == ["fi", None, None, "se", "fi"]
    assert (len(column), column[3], column[1], column[1:4]) == (5, "se", None, [None, None, "se"])


def test_values_that_are_not_texts_become_their_text_one_and_true_apart() -> None:
    column = TextColumn.of([1, True, None, 2.5, "1", ""])
    assert list(column) == ["1", "True", None, "2.5", "1", None]
    assert column.values == ("1", "2.5", "True")


def test_picking_counting_and_distinct_values() -> None:
    column = TextColumn.of(["a", "b", None, "a", "c"])
    picked = column.take(np.array([0, 2, 3]))
    assert list(picked) == ["a", None, "a"]
    assert picked.counts() == {"a": 2}  # "b" and "c" are not among the rows
    assert (picked.distinct(), column.distinct()) == (2, 4)  # None counts as one
    assert TextColumn.of(["x", "x"]).distinct() == 1


def test_codes_in_a_vocabulary_match_the_lists() -> None:
    items = ["b", None, "zz", "a", "", "b"]
    column = TextColumn.of(items)
    for categories in (["a", "b", OTHER], ["a", "b"]):
        coded = column.spread(category_codes(column.values, categories))
        expected = category_codes([None if v == "" else v for v in items], categories)
        assert np.array_equal(coded, expected, equal_nan=True)


def test_a_table_of_text_columns_learns_and_encodes_as_one_of_lists() -> None:
    texts = ["fi", "se", None, "fi", "no", "fi", "se"]
    sizes = np.array([1.0, 2.0, 3.0, math.nan, 5.0, 6.0, 7.0])

    def table(colour: list[str | None] | TextColumn) -> FeatureTable:
        return FeatureTable(
            np.arange(7, dtype=np.int64),
            np.zeros(7),
            np.zeros(7, dtype=np.int64),
            {"country": colour, "size": sizes},
            {"country": "category", "size": "number"},
            {},
        )

    as_list, as_codes = table(list(texts)), table(TextColumn.of(texts))
    mask = np.array([True, True, True, True, False, True, False])
    features = learn_features(as_codes.take(mask))
    assert features == learn_features(as_list.take(mask))
    assert features[0].categories == ("fi", "se")  # three fi, one se; "no" not picked
    assert np.array_equal(encode(as_codes, features), encode(as_list, features), equal_nan=True)
    assert as_codes.take(mask).columns["country"] == ["fi", "se", None, "fi", "fi"]
