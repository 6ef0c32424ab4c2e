"""The local report's learning themes chapter (a partnership that codes themes):
the chapter, the national yardstick beside each theme the panel reports, and
disclosure control there too. Reads the shared `local_run` (conftest.py)."""

import json
import re

import pandas as pd
import pytest
from attack import Attack, theme_counts, theme_meanings
from folders import LOCAL, LOCAL_PROCESSED

from triennial.analysis.themes import with_years
from triennial.data.codebook import load_codebook
from triennial.data.extract import read_clean_extract

pytestmark = pytest.mark.pipeline
THRESHOLD = 5
NATIONAL = {
    "Co-ordination and the lead professional": "81% of incidents",
    "Professional curiosity": "66% of reviews",
    "Risk assessment and decision-making": "62% of incidents",
}


def tables(run) -> dict[str, pd.DataFrame]:
    folder = run / LOCAL / "tables"
    names = {"themes": "themes", "pairs": "theme_pairs", "years": "theme_years"}
    out = {k: pd.read_csv(folder / f"{v}.csv") for k, v in names.items()}
    out["yardstick"] = pd.read_csv(folder / "theme_yardstick.csv")
    return out


def rows_of(html: str, table_id: str) -> list[list[str]]:
    """The body rows of one rendered table, as cell texts."""
    start = html.index(f'id="{table_id}"')
    body = html[start : html.index("</table>", start)]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", r, re.S) for r in rows]
    text = [[re.sub(r"<[^>]+>", "", c) for c in r] for r in cells if r]
    return [[" ".join(c.split()) for c in r] for r in text]


def test_the_report_has_a_themes_chapter_with_its_four_tables(local_run):
    html = (local_run / LOCAL / "report/local-report.html").read_text(encoding="utf-8")
    assert "Learning themes" in html
    for table_id in ("tbl-themes", "tbl-theme-pairs", "tbl-theme-years", "tbl-theme-yardstick"):
        assert rows_of(html, table_id), table_id
    assert "Each review of Example Partnership (synthetic test data) was read" in " ".join(
        html.split()
    )


def test_the_yardstick_stands_beside_each_theme_the_panel_reports(local_run):
    html = (local_run / LOCAL / "report/local-report.html").read_text(encoding="utf-8")
    rows = {r[0]: r for r in rows_of(html, "tbl-theme-yardstick")}
    assert set(rows) == set(NATIONAL)
    yard = tables(local_run)["yardstick"].set_index("title")
    for title, printed in NATIONAL.items():
        assert rows[title][3] == printed
        shown = yard.loc[title]
        if shown["suppressed"]:
            assert rows[title][5] == "withheld" and pd.isna(shown["p_max"])
        else:  # the partnership's own count, its rate and the conservative p-value
            assert rows[title][1] == f"{int(shown['count'])}/{int(shown['nobs'])}"
            assert 0 <= shown["p_min"] <= shown["p_max"] <= 1
            assert rows[title][5] == f"{shown['p_max']:.3f}"


def test_no_theme_count_below_the_threshold(local_run):
    for name, table in tables(local_run).items():
        for column in [c for c in ("count", "nobs") if c in table.columns]:
            values = pd.to_numeric(table[column], errors="coerce")
            assert values[(values >= 1) & (values < THRESHOLD)].empty, (name, column)
    derived = tables(local_run)["years"]
    assert derived.loc[derived["count"].isna(), "estimate"].isna().all()


def test_the_attack_recovers_no_suppressed_theme_count(local_run):
    """The independent attacker (tests/attack.py), on the themes chapter's counts."""
    t = tables(local_run)
    themes, spans = list(t["themes"]["theme"]), sorted(t["years"]["year"].unique())
    book = load_codebook(local_run / "data/raw/extracts/codebook.schema.json")
    attacker = Attack(
        book, 20000, rows=theme_meanings(themes, spans), extra={"financial_year": spans}
    )
    summary = json.loads((local_run / LOCAL_PROCESSED / "extract/summary.json").read_text())
    counts = theme_counts(t["themes"], t["pairs"], t["years"])
    ranges = attacker.ranges(counts, summary["reviews"], enough=THRESHOLD)
    assert len(ranges) > 10
    assert {k: r for k, r in ranges.items() if r[1] - r[0] < THRESHOLD} == {}
    # Nor a small cell no table prints (a theme's reviews less those noting a pair, ...).
    data = with_years(read_clean_extract(local_run / LOCAL_PROCESSED / "extract/reviews.csv"))
    assert len(attacker.cells_to_try.names) > 100
    assert attacker.cells(counts, data, THRESHOLD) == {}
