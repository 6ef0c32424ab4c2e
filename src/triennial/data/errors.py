"""The project's own error for bad input: it names file, row, column and value.

Every check on input data reports a `Problem`; a step that finds any raises one
`DataError` listing them all, so a user fixes a file in one pass rather than one
error per run. A value a cleaning step changes instead is logged, located the same way
(`LOG_COLUMNS`).
"""

from __future__ import annotations

from dataclasses import dataclass

# The cleaning log: one row per value changed, where it was and what rule changed it.
LOG_COLUMNS = ["file", "row", "column", "old_value", "new_value", "rule"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one value (or one row, or one file) of an input file.

    `row` is the line number a spreadsheet or text editor shows (the header is
    line 1, so the first data row is line 2); None when the problem is with the
    whole file or a whole column.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    @classmethod
    def of_file(cls, file: str, expected: str) -> Problem:
        """A problem with the whole file (no row, column or value to name)."""
        return cls(file, None, None, None, expected)

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        value = "" if self.value is None else f": value {self.value!r}"
        return f"{', '.join(where)}{value}: {self.expected}"


class DataError(Exception):
    """Input data that the pipeline refuses to use; `problems` says exactly why."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(self.message())

    def message(self, limit: int = 50) -> str:
        lines = [f"{len(self.problems)} problem(s) in the input data:"]
        lines += [f"  - {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more")
        return "\n".join(lines)


def raise_if_any(problems: list[Problem]) -> None:
    """Raise one DataError carrying every problem found, or do nothing."""
    if problems:
        raise DataError(problems)
