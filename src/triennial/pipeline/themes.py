"""The themes rule: learning themes in a partnership's reviews, suppressed, with the
national panel's figures as a yardstick, and the local report's themes chapter."""

from __future__ import annotations

from pathlib import Path

from triennial.analysis.themes import theme_cells, theme_tables, with_years, yardstick
from triennial.data.codebook import load_codebook
from triennial.data.extract import read_clean_extract
from triennial.data.panel import read_panel, readings
from triennial.data.series import read_trends
from triennial.pipeline.extract_analysis import load_plan
from triennial.pipeline.step import log, write_csv
from triennial.report.themes import chapter


def themes(
    reviews: str,
    codebook: str,
    plan: str,
    panel: str,
    trends: str,
    out,
    method: str,
    alpha: float,
    threshold: int,
    name: str,
) -> None:
    """Write the themes, pairs, years and yardstick tables and the chapter's Markdown."""
    reviews, book = with_years(read_clean_extract(reviews)), load_codebook(codebook)
    cells = theme_cells(reviews, book)
    tables = theme_tables(reviews, book, load_plan(plan, threshold), cells, method, alpha)
    series, _ = read_trends(Path(trends))
    national = read_panel(Path(panel), series)
    tables["yardstick"] = yardstick(
        tables["themes"], book, national.figures, national.bases, readings, method, alpha
    )
    for kind, table in tables.items():
        write_csv(table, out[kind])
    log.info("%d themes coded, %d theme cells", len(tables["themes"]), len(cells))
    cited = book.theme_citations(tables["themes"]["theme"])
    Path(out.chapter).write_text(chapter(tables, name, cited), encoding="utf-8")
