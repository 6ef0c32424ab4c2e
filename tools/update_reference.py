"""Replace the reference tables (tests/expected) with the pipeline's current results.

Updating the reference is deliberate, never automatic: the tests compare every
results table with this reference, so copying the results over it accepts whatever
they now say. Run the pipeline first (`snakemake`), then this script, then review
`git diff tests/expected` (and `git status` for new tables) and commit only the
changes you can explain.

    python tools/update_reference.py [--results results/national/tables]
                                     [--reference tests/expected]
"""

import argparse
import sys
from pathlib import Path

from triennial.checks.reference import update_reference

ROOT = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The results and reference directories (defaults: this repository's)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--results",
        type=Path,
        default=ROOT / "results" / "national" / "tables",
        help="tables written by the pipeline (default: results/national/tables)",
    )
    parser.add_argument(
        "--reference",
        type=Path,
        default=ROOT / "tests" / "expected",
        help="reviewed reference tables (default: tests/expected)",
    )
    return parser.parse_args(argv)


def shown(path: Path) -> Path:
    """A path relative to the working directory when it lies below it, for messages."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def main(argv: list[str] | None = None) -> int:
    """Copy the results over the reference, print the changes and what to do next."""
    args = parse_args(argv)
    try:
        changes = update_reference(args.results, args.reference)
    except FileNotFoundError as err:
        print(f"ERROR: {err}", file=sys.stderr)
        return 1
    reference, results = shown(args.reference), shown(args.results)
    if not changes:
        print(f"{reference} already matches {results}: nothing changed")
        return 0
    print(f"{len(changes)} reference table(s) changed in {reference}:")
    for change in changes:
        print(f"  {change}")
    # New tables are untracked, so `git diff` alone would not show them.
    print(
        f"Review `git diff {reference}` (and `git status {reference}` for new tables) "
        "before committing: each change accepts a new result."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
