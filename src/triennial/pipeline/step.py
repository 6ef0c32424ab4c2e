"""What every pipeline step shares: a log file, clean failure on bad data, stable CSV.

Rule scripts call `run_step(log, step, **arguments)`; a DataError becomes one readable message in
the log and on stderr and a non-zero exit, never a traceback. A job's process ends in
`run_step`, so call it last.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from triennial.data.errors import DataError

if TYPE_CHECKING:  # not imported at run time: the render job needs no pandas
    import pandas as pd

log = logging.getLogger("triennial")


def run_step(
    log_path: str | Path,
    step: Callable[..., None],
    *args,
    expected: tuple[type[Exception], ...] = (),
    **kwargs,
) -> None:
    """Run `step(*args, **kwargs)` logging to `log_path`, then end the job's process: exit 0
    when the step succeeds, exit 1 with the message on bad data.

    `expected` adds the step's own user-facing errors (e.g. a report variable that
    does not exist) to DataError: they too end in a message, not a traceback.
    """
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        filename=log_path,
        filemode="w",
        level=logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",  # no timestamps: logs are reproducible
        force=True,
    )
    try:
        step(*args, **kwargs)
    except (DataError, *expected) as err:
        message = err.message() if isinstance(err, DataError) else str(err)
        log.error(message)
        print(f"ERROR: {message}", file=sys.stderr)
        sys.exit(1)
    except Exception:  # a bug, not bad data: keep the traceback, in the log too
        log.exception("unexpected error")
        raise
    # Python's own shutdown frees the objects of every loaded module one by one: 0.2-0.8 s
    # a job with pandas, scipy and statsmodels loaded, a tenth of a full run's CPU time.
    # The step has closed its files; flush what is still buffered and end at once.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a table the same way every time (UTF-8, \\n line ends, no index)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    log.info("wrote %s (%d rows)", path, len(frame))


def write_json(summary: dict, path: str | Path) -> None:
    """Write a summary the same way every time (indented, UTF-8, final newline)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
