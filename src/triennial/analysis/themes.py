"""Learning themes in a partnership's reviews: how often, which together, by year.

A theme is an optional codebook column (noted / not_noted / not_coded). Every number
published here is a count of reviews in a cell, registered with disclosure control as
rows n of N like every other table (`theme_rows`), so that primary and secondary
suppression and the audit cover them together with the rest of the report:

- a theme: the reviews noting it (n) of those coded for it (N);
- a pair: the reviews noting both (n) of those noting the first (N), both ways round,
  so that the reviews noting one and not the other (each pair's rests) are protected;
- a year: the reviews notified in that financial year noting it (n) of those coded
  for it (N).

Financial years (April to March) run from the earliest to the latest notification in
the extract; a year inside that span with no reviews is shown as zero.
"""

from __future__ import annotations

from datetime import date
from itertools import combinations

import pandas as pd

from triennial.analysis.disclosure import DERIVED, Plan, Row, protect_rows, row
from triennial.analysis.measures import Where, codes, equals, noted
from triennial.data.codebook import NOTED, Codebook
from triennial.stats.exact import fisher_range_pvalues, readings_confint
from triennial.stats.intervals import proportion_confint

YEAR = "financial_year"
NOT_NOTED, NOT_CODED = "not_noted", "not_coded"


def financial_year(iso: str) -> str:
    """'2015-02-10' -> '2014-15' (the year from 1 April to 31 March)."""
    day = date.fromisoformat(iso)
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def with_years(reviews: pd.DataFrame) -> pd.DataFrame:
    """The reviews with the financial year of their notification (`YEAR`)."""
    return reviews.assign(**{YEAR: [financial_year(d) for d in reviews["notification_date"]]})


def years(reviews: pd.DataFrame) -> tuple[str, ...]:
    """Every financial year from the earliest notification to the latest."""
    firsts = [int(financial_year(d)[:4]) for d in reviews["notification_date"]]
    if not firsts:
        return ()
    return tuple(f"{y}-{(y + 1) % 100:02d}" for y in range(min(firsts), max(firsts) + 1))


def coded_themes(reviews: pd.DataFrame, codebook: Codebook) -> list[str]:
    """The themes the extract codes for at least one review (codebook order)."""
    return [
        t for t in codebook.themes() if t in reviews.columns and (reviews[t] != NOT_CODED).any()
    ]


def coded(theme: str) -> Where:
    """Reviews coded for the theme (noted or not)."""
    return equals(theme, NOTED, NOT_NOTED)


def theme_rows(reviews: pd.DataFrame, codebook: Codebook) -> tuple[dict, dict]:
    """Every row the themes chapter publishes, by name: (population, numerator); and the
    codes of the financial-year column they use. Empty when no theme is coded."""
    themes = coded_themes(reviews, codebook)
    spans = years(reviews)
    rows = {("theme", t): (coded(t), noted(t)) for t in themes}
    for a, b in combinations(themes, 2):
        rows[("theme_pair", a, b)] = (noted(a), noted(b))
        rows[("theme_pair", b, a)] = (noted(b), noted(a))
    for t in themes:
        for y in spans:
            rows[("theme_year", t, y)] = (coded(t) & equals(YEAR, y), noted(t))
    return rows, {YEAR: spans}


def theme_cells(reviews: pd.DataFrame, codebook: Codebook) -> dict[tuple, Row]:
    """The cells of every row `theme_rows` names."""
    rows, extra = theme_rows(reviews, codebook)
    codes_ = codes(codebook) | extra
    return {name: row(p, n, codes_) for name, (p, n) in rows.items()}


def _rate_rows(reviews, named: dict, method: str, alpha: float) -> list[dict]:
    """n, N, estimate and interval of each named (population, numerator)."""
    out = []
    for population, numerator in named.values():
        inside = population(reviews)
        n, big_n = int((inside & numerator(reviews)).sum()), int(inside.sum())
        low, upp = proportion_confint(n, big_n, alpha, method) if big_n else (None, None)
        estimate = n / big_n if big_n else None
        out.append({"count": n, "nobs": big_n, "estimate": estimate, "ci_low": low, "ci_upp": upp})
    return out


def theme_tables(
    reviews: pd.DataFrame,
    codebook: Codebook,
    plan: Plan,
    cells: dict[tuple, Row],
    method: str,
    alpha: float,
) -> dict[str, pd.DataFrame]:
    """The themes chapter's tables, each count shown only where the plan shows it:
    `themes` (one row a theme), `pairs` (reviews noting both of two themes) and `years`
    (each theme by financial year). `cells`: the registered rows' cells by name."""
    reviews = with_years(reviews)
    rows, _ = theme_rows(reviews, codebook)
    titles = {t: codebook.field(t)["title"] for t in codebook.themes()}
    out = {}
    for kind, columns in (("theme", ["theme"]), ("theme_year", ["theme", "year"])):
        named = {k: v for k, v in rows.items() if k[0] == kind}
        table = pd.DataFrame(
            [dict(zip(columns, k[1:], strict=True)) for k in named],
            columns=columns,
        )
        rates = pd.DataFrame(_rate_rows(reviews, named, method, alpha), index=table.index)
        table = pd.concat([table, rates.reindex(columns=["count", "nobs", *DERIVED])], axis=1)
        table.insert(1, "title", table["theme"].map(titles))
        table = table.assign(method=method, alpha=alpha)
        out[kind] = protect_rows(table, plan, [cells[k] for k in named])
        if "suppressed" not in out[kind]:  # threshold 0: nothing is hidden
            out[kind] = out[kind].assign(suppressed=False)
    pairs = [("theme_pair", a, b) for a, b in combinations(coded_themes(reviews, codebook), 2)]
    both = [int((noted(a) & noted(b))(reviews).sum()) for _, a, b in pairs]
    shown = [plan.shows(cells[k].n) for k in pairs]
    out["theme_pair"] = pd.DataFrame(
        {
            "theme_a": [a for _, a, _ in pairs],
            "theme_b": [b for _, _, b in pairs],
            "title_a": [titles[a] for _, a, _ in pairs],
            "title_b": [titles[b] for _, _, b in pairs],
            "count": [n if s else None for n, s in zip(both, shown, strict=True)],
            "suppressed": [not s for s in shown],
        },
        columns=["theme_a", "theme_b", "title_a", "title_b", "count", "suppressed"],
    )
    return {"themes": out["theme"], "pairs": out["theme_pair"], "years": out["theme_year"]}


def yardstick(
    themes: pd.DataFrame,
    codebook: Codebook,
    figures: pd.DataFrame,
    bases: dict,
    readings,
    method: str,
    alpha: float,
) -> pd.DataFrame:
    """Each coded theme the national panel reports, beside the national figure.

    `themes`: the protected themes table; `figures` and `bases`: the panel's figures and
    the counts their bases name; `readings(figure, bases)`: the national figure's whole
    counts per base (`data.panel.readings`). The national interval covers every reading
    (each count in the rounding range of each base); the p-values are the smallest and
    largest of Fisher's exact test of the partnership's n of N against each reading.
    Both are blank where the partnership's counts are suppressed.
    """
    by_id = figures.set_index("row_id")
    out = []
    for _, r in themes.iterrows():
        national = codebook.field(r["theme"])["learningTheme"].get("nationalFigure")
        if national is None:
            continue
        figure = by_id.loc[national]
        reads = readings(figure, bases)
        low, upp = readings_confint(reads, alpha, method)
        shown = pd.notna(r["count"]) and pd.notna(r["nobs"])
        p_min, p_max = (None, None)
        if shown:
            p_min, p_max = fisher_range_pvalues(int(r["count"]), int(r["nobs"]), reads)
        out.append(
            {
                "theme": r["theme"],
                "title": r["title"],
                "count": r["count"],
                "nobs": r["nobs"],
                "estimate": r["estimate"],
                "ci_low": r["ci_low"],
                "ci_upp": r["ci_upp"],
                "national_figure": national,
                "national_percent": float(figure["percent_printed"]),
                "national_of": figure["of"],
                "national_bases": "; ".join(f"{n}" for _, _, n in reads),
                "national_ci_low": low,
                "national_ci_upp": upp,
                "p_min": p_min,
                "p_max": p_max,
                "suppressed": not shown,
            }
        )
    columns = ["theme", "title", "count", "nobs", *DERIVED, "national_figure", "national_percent"]
    columns += ["national_of", "national_bases", "national_ci_low", "national_ci_upp"]
    return pd.DataFrame(out, columns=[*columns, "p_min", "p_max", "suppressed"])
