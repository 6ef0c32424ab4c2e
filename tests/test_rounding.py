"""Printed percentages and the counts consistent with them, by hand."""

import pytest

from triennial.stats.rounding import decimals, half_unit, numerator_range, percent_matches


def test_decimals_and_tolerance():
    assert decimals("54") == 0
    assert decimals("74.8") == 1
    assert half_unit("74.8") == pytest.approx(0.05)


def test_percent_matches():
    assert percent_matches(208, 278, "74.8")  # 74.820
    assert not percent_matches(208, 278, "74.9")
    assert percent_matches(99, 278, "36")  # 35.61
    assert not percent_matches(99, 278, "35")
    # Exactly on the boundary (12.5): both round-half-up and half-even printers pass.
    assert percent_matches(1, 8, "12") and percent_matches(1, 8, "13")


def test_numerator_range_by_hand():
    # 41.5% and 42.5% of 368 are 152.72 and 156.4: counts 153 to 156 print as 42%.
    assert numerator_range("42", 368) == (153, 156)
    # 74.75% and 74.85% of 278 are 207.8 and 208.08: only 208.
    assert numerator_range("74.8", 278) == (208, 208)
    assert numerator_range("0", 10) == (0, 0)
    assert numerator_range("100", 10) == (10, 10)
    # No count of 3 gives 50%: 1/3 = 33.3, 2/3 = 66.7.
    assert numerator_range("50", 3) is None
