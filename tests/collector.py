"""Fewer garbage collections in the Pythons of a test session: the tests, the attacks on
generated extracts and each Snakemake the tests start.

Python runs a collection for every 700 objects allocated and not yet freed, and a full
one, scanning every live object, every hundred of those. pandas and hypothesis allocate
millions of short-lived objects, so the collector ran thousands of times for little:
five of the slowest test files took 47 to 50 s with this threshold against 55 to 56 s
without; the attacks 5% less. Cycles are still collected, only less often. The threshold
is the pipeline's jobs' own (`triennial.pipeline`).
"""

import gc

from triennial.pipeline import GC_THRESHOLD


def collect_less() -> None:
    gc.set_threshold(*GC_THRESHOLD)
