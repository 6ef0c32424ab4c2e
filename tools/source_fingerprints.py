"""Write tests/source_fingerprints.txt: sampled fingerprints of the captured source documents.

Run by hand when the captured documents change:
    TRIENNIAL_SOURCES_DIR=/path/to/captures python tools/source_fingerprints.py
The file holds hashes only (no text), so the copy test runs where the documents are absent.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from triennial.checks.copies import SAMPLE, fingerprints  # noqa: E402

OUT = ROOT / "tests" / "source_fingerprints.txt"


def main() -> None:
    folders = [Path(p) for p in os.environ["TRIENNIAL_SOURCES_DIR"].split(os.pathsep) if p]
    documents = sorted(f for d in folders for f in d.iterdir() if f.suffix in {".txt", ".md"})
    prints = set()
    for document in documents:
        prints |= fingerprints(document.read_text(encoding="utf-8"), SAMPLE)
    OUT.write_text("".join(f"{p}\n" for p in sorted(prints)), encoding="utf-8")
    print(f"{len(prints)} fingerprints of {len(documents)} documents -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
