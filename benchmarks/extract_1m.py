"""Benchmark: a 1,000,000-review extract through validation, cleaning and aggregation.

    python benchmarks/extract_1m.py [--rows 1000000]

Builds a synthetic extract by repeating the reconstructed 368 reviews (clean codes, ISO
dates, ages in months: what a database export looks like) with 1% of the coded cells
typed as coders type them ("Y", "yes ", "not stated"), so cleaning has real work but
the log stays proportionate. Then, each in a fresh process so peak memory is its own:

1. `pandas.read_csv(engine="pyarrow")` of the file alone (the yardstick);
2. the pipeline's own path: read, check columns, clean, quarantine, log, then compute
   every published measure (aggregation).

Prints wall times, the ratio (target under 3) and the peak resident memory of step 2
(target under 4 GB).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "data/raw/extracts/codebook.schema.json"
MESSY = {"noted": "Y", "not_noted": "no ", "not_recorded": "not stated", "not_applicable": "n/a"}


def build(rows: int, path: Path) -> None:
    """Write the synthetic extract: the reconstruction repeated, 1% of cells messy."""
    from triennial.data import published
    from triennial.synthetic.reconstruct import reconstruct

    figures, _ = published.clean(ROOT / "data/raw/published/datapackage.json")
    base = reconstruct(figures).drop(columns="age_band")
    copies = -(-rows // len(base))
    frame = pd.concat([base] * copies, ignore_index=True).head(rows)
    frame["review_id"] = [f"SYN-{i:07d}" for i in range(rows)]
    rng = np.random.default_rng(1)
    for column in frame.columns:
        if frame[column].isin(list(MESSY)).any():
            hit = rng.random(rows) < 0.01
            frame.loc[hit, column] = frame.loc[hit, column].map(MESSY).fillna(frame[column])
    frame.to_csv(path, index=False)


def in_fresh_process(setup: str, work: str) -> dict:
    """Run `work` after `setup` (imports, not timed) in a new interpreter."""
    wrapper = f"""
import json, resource, time
{setup}
t0 = time.perf_counter()
{work}
out = {{"seconds": time.perf_counter() - t0,
       "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}
print(json.dumps(out))
"""
    done = subprocess.run(
        [sys.executable, "-c", wrapper], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "extract.csv"
        build(rows, path)
        size = path.stat().st_size / 1e6
        read = in_fresh_process(
            "import pandas as pd", f"pd.read_csv({str(path)!r}, engine='pyarrow')"
        )
        setup = "\n".join(
            [
                "from datetime import date",
                "from pathlib import Path",
                "from triennial.data.codebook import load_codebook",
                "from triennial.data.extract import clean_extracts",
                "from triennial.analysis.measures import compute",
            ]
        )
        work = "\n".join(
            [
                f"book = load_codebook(Path({str(CODEBOOK)!r}))",
                f"result = clean_extracts([Path({str(path)!r})], book, "
                "date(2014, 4, 1), date(2017, 3, 31))",
                "compute(result.reviews(), book)",
            ]
        )
        pipeline = in_fresh_process(setup, work)
    ratio = pipeline["seconds"] / read["seconds"]
    peak_gb = pipeline["peak_mb"] / 1024
    print(f"extract: {rows:,} reviews, {size:.0f} MB")
    print("| step | wall time | peak memory |")
    print("|---|---|---|")
    for name, step in (
        ("pandas.read_csv(engine='pyarrow')", read),
        ("validation + cleaning + aggregation", pipeline),
    ):
        print(f"| {name} | {step['seconds']:.1f} s | {step['peak_mb']:.0f} MB |")
    print(f"ratio: {ratio:.2f} (target < 3); peak memory {peak_gb:.2f} GB (target < 4)")


if __name__ == "__main__":
    main()
