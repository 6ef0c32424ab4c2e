"""Write the committed demonstration extracts (run by hand; not a pipeline rule).

    python tools/make_extracts.py

1. data/raw/extracts/synthetic_reconstruction_2014_17.csv: the 368 reviews of
   2014-17 reconstructed from the published tables (triennial.synthetic.reconstruct), typed
   as a team of coders would (triennial.synthetic.coders), with a double-coded subsample.
   SYNTHETIC: consistent with the published totals, not case data; every review id
   starts with SYN- so that no row can be mistaken for a real review.
2. data/raw/extracts/README.md: the codebook as a readable page.
3. .test/data/partnership_extract.xlsx: a small synthetic "partnership" extract of
   40 reviews, for testing the bring-your-own-data path and small-number suppression.
   It also codes the optional learning themes, with SYNTHETIC values drawn at made-up
   rates (`THEME_RATES`: for testing the themes chapter, not estimates of anything);
   the demonstration extract has no theme columns, since no source prints them.

All are deterministic: tests/test_extract.py regenerates the CSV and the codebook page
and compares them with the committed files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from triennial.data import published
from triennial.data.codebook import load_codebook, markdown
from triennial.synthetic.coders import typed_extract
from triennial.synthetic.reconstruct import reconstruct

ROOT = Path(__file__).resolve().parents[1]
DESCRIPTOR = ROOT / "data/raw/published/datapackage.json"
CODEBOOK = ROOT / "data/raw/extracts/codebook.schema.json"
DEMONSTRATION = ROOT / "data/raw/extracts/synthetic_reconstruction_2014_17.csv"
PARTNERSHIP = ROOT / ".test/data/partnership_extract.xlsx"
CODEBOOK_PAGE = ROOT / "data/raw/extracts/README.md"
PARTNERSHIP_SIZE = 40
# Made-up chances that a synthetic partnership review notes each theme (test data only).
THEME_RATES = {
    "information_sharing": 0.6,
    "challenge_and_escalation": 0.35,
    "assessment": 0.5,
    "recognising_risk": 0.45,
    "resistance_and_disguised_compliance": 0.3,
    "diversity_and_culture": 0.1,
    "voice_of_the_child": 0.4,
    "coordination_and_lead_professional": 0.75,
    "professional_curiosity": 0.6,
    "risk_assessment_and_decision_making": 0.55,
}
NOT_CODED_FOR_DIVERSITY = 8  # the first reviews were coded before that theme was added


def demonstration_extract() -> pd.DataFrame:
    """The 368 reconstructed reviews as typed, with SYN- ids."""
    figures, _ = published.clean(DESCRIPTOR)
    extract = reconstruct(figures)
    extract["review_id"] = "SYN-" + extract["review_id"]
    return typed_extract(extract, load_codebook(CODEBOOK))


def partnership_extract() -> pd.DataFrame:
    """40 reviews spread evenly over the reconstruction, renumbered, typed afresh."""
    figures, _ = published.clean(DESCRIPTOR)
    extract = reconstruct(figures)
    step = len(extract) // PARTNERSHIP_SIZE
    local = extract.iloc[::step].head(PARTNERSHIP_SIZE).reset_index(drop=True)
    local["review_id"] = [f"SYN-P{i + 1:02d}" for i in range(len(local))]
    typed = typed_extract(local, load_codebook(CODEBOOK), seed=20240401)
    return with_themes(typed, np.random.default_rng(20240402))


def with_themes(typed: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The typed extract with a synthetic coding of each learning theme (the existing
    columns unchanged): noted at `THEME_RATES`, typed as yes/no/noted/not noted; the
    second coding agrees but for about one value in ten; diversity left empty (not
    coded) for the first reviews."""
    first = typed.drop_duplicates("review_id")["review_id"].tolist()
    words = {True: ("yes", "noted", "Yes"), False: ("no", "not noted", "No")}
    out = typed.copy()
    for theme, rate in THEME_RATES.items():
        noted = dict(zip(first, rng.random(len(first)) < rate, strict=True))
        values = []
        rows = zip(typed["review_id"], typed["coding_round"], strict=True)
        for i, (review, round_) in enumerate(rows):
            flip = str(round_) == "2" and rng.random() < 0.1
            value = noted[review] != flip
            values.append(words[value][i % 3])
        out[theme] = values
        if theme == "diversity_and_culture":
            early = out["review_id"].isin(first[:NOT_CODED_FOR_DIVERSITY])
            out.loc[early, theme] = ""
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """An XLSX sheet (its cells are deterministic; the zip container's dates are not)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_excel(path, index=False, sheet_name="reviews")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demonstration", type=Path, default=DEMONSTRATION)
    parser.add_argument("--partnership", type=Path, default=PARTNERSHIP)
    args = parser.parse_args()
    write_csv(demonstration_extract(), args.demonstration)
    CODEBOOK_PAGE.write_text(markdown(load_codebook(CODEBOOK)), encoding="utf-8")
    write_xlsx(partnership_extract(), args.partnership)
    print(f"wrote {args.demonstration}, {CODEBOOK_PAGE} and {args.partnership}")


if __name__ == "__main__":
    main()
