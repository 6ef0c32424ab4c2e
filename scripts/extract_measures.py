"""Rule extract_measures: the published measures computed from the review extract."""

from triennial.codebook import load_codebook
from triennial.extract import read_clean_extract
from triennial.measures import compute
from triennial.prevalence import prevalence_table
from triennial.steps import run_step, write_csv
from triennial.suppress import suppress


def main(inp, out, method: str, alpha: float, threshold: int) -> None:
    """Prevalence of every published measure, from the extract (suppressed if asked)."""
    counts = compute(read_clean_extract(inp.reviews), load_codebook(inp.codebook))
    table = prevalence_table(counts, method=method, alpha=alpha)
    write_csv(suppress(table, threshold) if threshold else table, out.prevalence)


if __name__ == "__main__":
    run_step(
        lambda: main(
            snakemake.input,
            snakemake.output,
            snakemake.params.method,
            snakemake.params.alpha,
            snakemake.params.threshold,
        ),
        snakemake.log[0],
    )
