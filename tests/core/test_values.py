"""The shared readers of loosely typed Qualys JSON scalars."""

from __future__ import annotations

import pytest

from qualys_core.http.values import read_bool, read_float, read_int, read_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [(" a ", "a"), (7, "7"), ("", None), ("  ", None), (None, None), ({"x": 1}, None), ([1], None)],
)
def test_read_text(value, expected):
    assert read_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), ("12", 12), (" -4 ", -4), (2.9, 2), (True, None), ("1.5", None), ("x", None)],
)
def test_read_int(value, expected):
    assert read_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(1, 1.0), ("62.5%", 62.5), (" 3 ", 3.0), (False, None), ("x", None)]
)
def test_read_float(value, expected):
    assert read_float(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), ("TRUE", True), (" false ", False), (0, False), (1, True), ("yes", None)],
)
def test_read_bool(value, expected):
    assert read_bool(value) is expected
