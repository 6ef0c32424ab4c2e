"""Rule subgroups: characteristics by age band and outcome, tests, adjusted p-values."""

from triennial.analysis.subgroups import subgroup_analysis
from triennial.analysis.suppress import suppress
from triennial.data.codebook import load_codebook
from triennial.data.extract import read_clean_extract
from triennial.pipeline.step import run_step, write_csv


def main(reviews: str, codebook: str, out, method: str, alpha: float, threshold: int) -> None:
    """Write subgroup prevalence and the family of tests."""
    prevalence, tests = subgroup_analysis(
        read_clean_extract(reviews), load_codebook(codebook), method, alpha
    )
    write_csv(suppress(prevalence, threshold) if threshold else prevalence, out.prevalence)
    write_csv(tests, out.tests)


if __name__ == "__main__":
    run_step(
        lambda: main(
            snakemake.input.reviews,
            snakemake.input.codebook,
            snakemake.output,
            snakemake.params.method,
            snakemake.params.alpha,
            snakemake.params.threshold,
        ),
        snakemake.log[0],
    )
