"""Rule figures: prevalence by characteristic, by age band, and the flow of reviews."""

from triennial import figures, published
from triennial.prevalence import read_prevalence
from triennial.steps import run_step


def main(prevalence: str, clean: str, out) -> None:
    """Draw the report's figures as SVG."""
    prev = read_prevalence(prevalence)
    numbers = published.read_clean(clean).set_index("row_id")["numerator"]
    figures.prevalence_dots(
        prev,
        {"table1_parental": "Parents (Table 1)", "table2_family": "Family (Table 2)"},
        out.parents_families,
    )
    figures.by_age_band(prev, "table3_child", out.child_by_age)
    figures.review_flow(
        {
            "notified": numbers["flow_notified"],
            "available": numbers["flow_reports_available"],
            "not_completed": numbers["flow_not_completed"],
            "not_published": numbers["flow_not_published"],
            "sample": numbers["flow_qualitative_sample"],
        },
        out.review_flow,
    )


if __name__ == "__main__":
    run_step(
        lambda: main(snakemake.input.prevalence, snakemake.input.clean, snakemake.output),
        snakemake.log[0],
    )
