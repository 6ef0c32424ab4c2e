"""The primary suppression rule on its own: which counts are never published.

Disclosure control (disclosure.py, which imports scipy's solvers) applies it to every cell
of the tables; the report applies it to the counts in its text.
"""


def is_small(value: float, threshold: int) -> bool:
    """True for a count from 1 to threshold - 1: the counts never published."""
    return 1 <= value < threshold
