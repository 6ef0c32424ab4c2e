"""Which engine renders the report: ``quarto`` when it is on PATH, else the ``pandoc`` fallback.

Light on purpose: the workflow decides the engine once, at start-up, and passes it on.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

ENGINES = ("auto", "quarto", "pandoc")


def choose_engine(requested: str) -> str:
    """Map ``auto``/``quarto``/``pandoc`` to the engine that will run (``quarto`` or ``pandoc``)."""
    if requested not in ENGINES:
        raise ValueError(f"unknown render engine {requested!r}; expected one of {ENGINES}")
    on_path = shutil.which("quarto") is not None
    if requested == "auto":
        return "quarto" if on_path else "pandoc"
    if requested == "quarto" and not on_path:
        raise RuntimeError(
            "render engine 'quarto' was requested but quarto is not on PATH; "
            "install it (e.g. conda install -c conda-forge quarto) or use engine 'pandoc'/'auto'"
        )
    return requested


def date_epoch(iso: str) -> int:
    """The PDF's timestamp for a release date: '2026-11-30' -> seconds since 1970 (UTC midnight)."""
    return int(datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp())
