"""Per-row lookups through a column's codes: the same answers for a categorical and a plain column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tensions.data.categorical import isin_mask, lookup, positions_in, present_values

PLAIN = pd.Series(["Iraq", None, "Yemen", "Iraq", "Gaza"], dtype="string")
# Unused categories ("Syria") and a different order than first appearance must not change any answer.
CATEGORICAL = pd.Series(pd.Categorical(PLAIN, categories=["Syria", "Yemen", "Iraq", "Gaza"]))


@pytest.mark.parametrize("values", [PLAIN, CATEGORICAL], ids=["plain", "categorical"])
def test_a_lookup_answers_every_row_and_missing_rows_get_the_default(values):
    found = lookup(values, {"Iraq": 1.5, "Yemen": 2.0}, 0.0, dtype=float)
    assert found.tolist() == [1.5, 0.0, 2.0, 1.5, 0.0]


@pytest.mark.parametrize("values", [PLAIN, CATEGORICAL], ids=["plain", "categorical"])
def test_isin_mask_matches_pandas_isin(values):
    assert isin_mask(values, ["Iraq", "Gaza", "Lebanon"]).tolist() == [True, False, False, True, True]
    assert np.array_equal(isin_mask(values, ["Yemen"]), values.isin(["Yemen"]).to_numpy(dtype=bool))


@pytest.mark.parametrize("values", [PLAIN, CATEGORICAL], ids=["plain", "categorical"])
def test_positions_are_those_in_the_given_order_and_minus_one_when_absent(values):
    assert positions_in(values, ("Gaza", "Iraq")).tolist() == [1, -1, -1, 1, 0]


def test_present_values_leave_out_unused_categories_and_missing_values():
    assert present_values(PLAIN) == ["Iraq", "Yemen", "Gaza"]  # first appearance
    assert present_values(CATEGORICAL) == ["Yemen", "Iraq", "Gaza"]  # the categories' order
