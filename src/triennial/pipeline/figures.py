"""The figures rule: prevalence by characteristic, by age band, and the flow of reviews."""

from __future__ import annotations

from triennial.data.results import read_prevalence
from triennial.figures import prevalence as figures


def national_figures(prevalence: str, out) -> None:
    """Draw the report's figures as SVG, from the prevalence table alone."""
    prev = read_prevalence(prevalence)
    figures.prevalence_dots(
        prev,
        {"table1_parental": "Parents", "table2_family": "Family"},
        out.parents_families,
    )
    figures.by_age_band(prev, "table3_child", out.child_by_age)
    rows = prev.set_index("row_id")
    figures.review_flow(
        {
            "notified": rows.loc["flow_reports_available", "nobs"],
            "available": rows.loc["flow_reports_available", "count"],
            "not_completed": rows.loc["flow_not_completed", "count"],
            "not_published": rows.loc["flow_not_published", "count"],
            "sample": rows.loc["flow_qualitative_sample", "count"],
        },
        out.review_flow,
    )
