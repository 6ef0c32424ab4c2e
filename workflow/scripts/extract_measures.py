"""Rule extract_measures: the published measures computed from the review extract."""

from triennial.analysis.measures import compute
from triennial.analysis.prevalence import prevalence_table
from triennial.analysis.suppress import suppress
from triennial.data.codebook import load_codebook
from triennial.data.extract import read_clean_extract
from triennial.pipeline.step import run_step, write_csv


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
