"""What each Snakemake rule calls: reads its inputs, runs the analysis, writes outputs.

Every rule script imports this package first, in a Python of its own that lives seconds:
importing pandas, scipy, statsmodels and matplotlib allocates millions of objects and frees
few, and Python's default threshold (a collection every 700 objects still alive) made the
collector run thousands of times for little. Collecting less often: a national run took
39.8 to 40.4 CPU-s against 43.9 to 52.6 (side by side, alternating), with the same bytes.
Cycles are still collected, only less often.
"""

import gc

GC_THRESHOLD = (100_000, 50, 100)  # Python's default: (700, 10, 10)
gc.set_threshold(*GC_THRESHOLD)
