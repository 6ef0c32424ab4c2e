"""The local report's learning themes chapter, as Markdown (tables and sentences)."""

from __future__ import annotations

import pandas as pd

from triennial.data import labels
from triennial.report.formatting import SUPPRESSED, ci, count, in_words, pct
from triennial.report.markdown import markdown_table
from triennial.report.tables import estimatecell

NONE_CODED = (
    "The extract codes no learning themes (the optional theme columns of the codebook are "
    "absent or empty), so this chapter has no figures."
)


def ratio(n, big_n) -> str:
    """'12/40', with 'suppressed' for a hidden count."""
    return "/".join(SUPPRESSED if pd.isna(x) else count(x) for x in (n, big_n))


def year_cell(r: pd.Series) -> str:
    """'9/14 (64%)': n/N and the percentage where both are shown."""
    shown = "" if pd.isna(r["estimate"]) else f" ({pct(r['estimate'], 0)}%)"
    return ratio(r["count"], r["nobs"]) + shown


def p_value(p) -> str:
    if pd.isna(p):
        return "withheld"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def chapter(tables: dict[str, pd.DataFrame], name: str, citations=()) -> str:
    """The chapter's body: how often each theme appears, which occur together, by year,
    and the national yardstick; one sentence when no theme is coded. `name`: whose
    reviews (the configured analysis name, which says when the data are synthetic);
    `citations`: registry keys of the publications that name the coded themes."""
    themes = tables["themes"]
    if themes.empty:
        return NONE_CODED + "\n"
    level = labels.confidence(themes["alpha"].iloc[0])
    interval = f"{level}% {labels.METHODS[themes['method'].iloc[0]]} interval"
    rate = f"% ({level}% CI)"
    parts = [
        f"Each review of {name} was read for the learning themes of the codebook; a theme is "
        "*noted* when "
        "the review identifies it as learning. Rates are of the reviews coded for the theme. "
        "Themes overlap: one review often notes several (@tbl-theme-pairs)."
        + (
            " The themes are those that reviews keep finding, locally and nationally "
            f"[{'; '.join(f'@{key}' for key in citations)}]; the codebook names the place in "
            "each publication."
            if citations
            else ""
        ),
        "",
        markdown_table(
            pd.DataFrame(
                {
                    "Theme": themes["title"],
                    labels.COUNT_OF_NOBS: [
                        ratio(n, m) for n, m in zip(themes["count"], themes["nobs"], strict=True)
                    ],
                    rate: [estimatecell(r) for _, r in themes.iterrows()],
                }
            ),
            f"Learning themes: reviews noting each theme (n) of those coded for it (N), with "
            f"the {interval}.",
            "themes",
            "lrr",
            [4, 2, 3],
        ),
    ]
    pairs = tables["pairs"]
    parts += [
        markdown_table(
            pd.DataFrame(
                {
                    "Theme": pairs["title_a"],
                    "With theme": pairs["title_b"],
                    "Reviews noting both": [
                        SUPPRESSED if pd.isna(n) else count(n) for n in pairs["count"]
                    ],
                }
            ),
            "Themes that occur together: the number of reviews noting both themes of each pair.",
            "theme-pairs",
            "llr",
            [3, 3, 2],
        )
    ]
    years = tables["years"]
    wide = {"Theme": list(dict.fromkeys(years["title"]))}
    for year in dict.fromkeys(years["year"]):
        rows = years[years["year"] == year]
        wide[year] = [year_cell(r) for _, r in rows.iterrows()]
    parts += [
        markdown_table(
            pd.DataFrame(wide),
            "Learning themes by financial year of notification (April to March): reviews "
            "noting the theme of those coded for it that year, and the percentage. With few "
            "reviews a year, year-to-year differences are mostly noise.",
            "theme-years",
        )
    ]
    parts += yardstick_section(tables["yardstick"], interval, rate)
    return "\n".join(parts)


def yardstick_section(yard: pd.DataFrame, interval: str, rate: str) -> list[str]:
    """The partnership beside the national panel, for the themes the panel reports."""
    if yard.empty:
        return ["None of the themes coded here has a national figure to compare with.", ""]
    table = pd.DataFrame(
        {
            "Theme": yard["title"],
            f"Partnership {labels.COUNT_OF_NOBS}": [
                ratio(n, m) for n, m in zip(yard["count"], yard["nobs"], strict=True)
            ],
            f"Partnership {rate}": [estimatecell(r) for _, r in yard.iterrows()],
            "National (printed)": [
                f"{p:g}% of {of}"
                for p, of in zip(yard["national_percent"], yard["national_of"], strict=True)
            ],
            "National CI (all readings)": [
                ci(lo, up)
                for lo, up in zip(yard["national_ci_low"], yard["national_ci_upp"], strict=True)
            ],
            "Fisher p (largest)": [p_value(p) for p in yard["p_max"]],
        }
    )
    bases = sorted({int(n) for text in yard["national_bases"] for n in text.split("; ")})
    return [
        "",
        f"The national Child Safeguarding Practice Review Panel reports {in_words(len(yard))} "
        "of these themes for the rapid reviews it received in 2023-24 [@csprp2024annual], as "
        "percentages only and second-hand [@communitycare2024]. @tbl-theme-yardstick sets the "
        f"partnership's rate beside each. The national interval is the {interval} covering "
        "every count the printed percentage allows, of either base the figure may be a share "
        "of (the rapid reviews or the children they concern: "
        f"{' or '.join(f'{n:,}' for n in bases)}). The test is Fisher's exact test "
        "(two-sided, as R's "
        "fisher.test computes it), chosen because the partnership's numbers are small: the "
        "2 × 2 table of the partnership's reviews noting and not noting the theme against "
        "the national count and the rest of its base is tested at every count and base the "
        "printed figure allows, and the largest p-value is reported, so that no reading of "
        "the rounded figure would give weaker evidence of a difference. It is withheld "
        "where the partnership's counts are suppressed. Some of the partnership's reviews "
        "may be among the panel's, which makes the test conservative. The "
        "national themes are defined by the panel, the partnership's by its coders: a "
        "difference may be one of definition.",
        "",
        markdown_table(
            table,
            f"The partnership's learning themes beside the national panel's 2023-24 figures: "
            f"rates with {interval}s and Fisher's exact test (the largest p-value over every "
            "reading of the national figure).",
            "theme-yardstick",
            "lrrrrr",
            [3, 2, 3, 2, 2, 2],
        ),
    ]
