"""Does a file copy a source document? Long verbatim runs of words, found by fingerprints.

A quote of at most about 30 words is fair; a copied page shares runs of hundreds. Every run of
`RUN` words (lower-cased, punctuation and spacing ignored) is hashed; a file copies a document
when it shares any run with it. The fingerprints of the source documents can be kept without
their text: a hash cannot be read back, and a 1-in-`SAMPLE` sample of them (chosen by hash
value, so the same runs are kept wherever they occur) still catches any copy longer than a few
hundred words.
"""

from __future__ import annotations

import hashlib
import re

RUN = 50  # words: longer than any quote the data may hold (about 30 words)
SAMPLE = 16  # keep the runs whose hash is divisible by this


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def fingerprints(text: str, sample: int = 1) -> set[str]:
    """Hex hashes of every run of RUN consecutive words (a 1-in-`sample` subset)."""
    ws = words(text)
    out = set()
    for i in range(len(ws) - RUN + 1):
        digest = hashlib.blake2b(" ".join(ws[i : i + RUN]).encode(), digest_size=8).hexdigest()
        if int(digest, 16) % sample == 0:
            out.add(digest)
    return out


def shared_runs(text: str, known: set[str]) -> int:
    """How many runs of `text` are among the `known` fingerprints."""
    return len(fingerprints(text) & known)
