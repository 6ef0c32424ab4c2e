"""Rule agreement: inter-coder agreement on the double-coded reviews."""

from triennial.analysis.suppress import suppress
from triennial.data.codebook import load_codebook
from triennial.data.extract import read_clean_extract
from triennial.pipeline.step import log, run_step, write_csv
from triennial.stats.agreement import agreement_table


def main(clean: str, codebook: str, table: str, alpha: float, threshold: int) -> None:
    """Cohen's kappa with its interval and percent agreement, per coded variable."""
    rows = read_clean_extract(clean)
    book = load_codebook(codebook)
    first = rows[rows["coding_round"] == 1].set_index("review_id")
    second = rows[rows["coding_round"] == 2].set_index("review_id")
    ids = sorted(set(first.index) & set(second.index))
    variables = [v for v in book.coded() if v != "age_band"]
    result = agreement_table(first.loc[ids], second.loc[ids], variables, alpha=alpha)
    log.info("%d double-coded reviews, %d variables", len(ids), len(variables))
    write_csv(suppress(result, threshold, base=None) if threshold else result, table)


if __name__ == "__main__":
    run_step(
        lambda: main(
            snakemake.input.clean,
            snakemake.input.codebook,
            snakemake.output.table,
            snakemake.params.alpha,
            snakemake.params.threshold,
        ),
        snakemake.log[0],
    )
