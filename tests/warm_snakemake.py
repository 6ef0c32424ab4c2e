"""Snakemake started warm: each Snakemake the tests start is a fork of a server that has
imported Snakemake, pandas and jsonschema and found Snakemake's plugins
(`snakemake_preload.py`; conftest.py, `start_snakemake`), and runs `main`.

A start of Snakemake from scratch imports it and pandas and finds its plugins: about 2.5 of
the 3.4 CPU-s a dry run takes on a 2-core machine, all of which a fork saves. The test suite
starts Snakemake about twenty times.

This module imports nothing heavy itself: the test session imports it to name `main`.
"""

import os
from pathlib import Path

from priority import set_session_priority


def main(repo: Path, args: list[str], nice: int, stdout: Path, stderr: Path) -> None:
    """`snakemake ARGS` in `repo`, in a session of its own (so it can be killed with its
    jobs), at the priority `nice`, its output written to two files. Exits with Snakemake's
    exit code."""
    from snakemake import cli  # the server's: imported, its plugins found

    os.setsid()
    if nice:
        os.nice(nice)
        set_session_priority("self", nice)
    os.chdir(repo)
    for fd, path in ((1, stdout), (2, stderr)):
        opened = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(opened, fd)
        os.close(opened)
    cli.main([str(a) for a in args])
