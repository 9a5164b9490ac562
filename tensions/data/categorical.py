"""Looking a value up for every row, once per distinct value: the one way the package maps a column.

Event columns are categoricals (a million rows hold a few hundred names), so a per-row answer is computed
for each category and spread to the rows through the integer codes; a plain column is factorised first.
Missing values have the code -1, which reads the extra last slot: the default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd


def value_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Each row's code (-1 when missing) and the distinct values the codes point to."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64), values.cat.categories
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes.astype(np.int64), pd.Index(uniques)


def lookup(values: pd.Series, table: Mapping, default: object, *, dtype: object = object) -> np.ndarray:
    """`table.get(value, default)` for every row of `values` (missing rows: `default`), as a NumPy array."""
    codes, distinct = value_codes(values)
    answers = np.array([table.get(value, default) for value in distinct] + [default], dtype=dtype)
    return answers[codes]


def isin_mask(values: pd.Series, wanted: Iterable[object]) -> np.ndarray:
    """`values.isin(wanted)` as a boolean NumPy mask."""
    return lookup(values, dict.fromkeys(wanted, True), False, dtype=bool)


def positions_in(values: pd.Series, order: Iterable[str]) -> np.ndarray:
    """Each value's position in `order`, -1 when missing or not in it."""
    return lookup(values, {name: i for i, name in enumerate(order)}, -1, dtype=np.int64)


def present_values(values: pd.Series) -> list[str]:
    """The distinct values that occur, as text (a categorical's unused categories left out)."""
    codes, distinct = value_codes(values)
    return [str(distinct[code]) for code in np.unique(codes) if code >= 0]
