"""The priority of background work started by the tests (pipeline runs, the attacks)."""

import contextlib
from pathlib import Path


def set_session_priority(pid: int | str, nice: int) -> None:
    """Give the session of process `pid` (one it leads) the priority `nice`.

    Where Linux schedules by session ("autogroup"), a new session shares the cores equally
    with the tests whatever its processes' nice: its group needs the same priority (a kernel
    without autogroups has no such file)."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/autogroup").write_text(str(nice), encoding="ascii")
