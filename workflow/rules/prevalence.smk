# Estimates with confidence intervals, and the check against the printed figures.


rule prevalence:
    input:
        valid=ancient(VALIDATED),
        code=code("prevalence"),
        clean=rules.clean_published.output.clean,
    output:
        table=report(
            f"{OUT}/tables/prevalence.csv",
            caption="../report/prevalence.rst",
            category="Published tables",
        ),
        not_estimated=f"{OUT}/tables/not_estimated.csv",
    log:
        f"{LOGS}/prevalence.log",
    conda:
        CONDA_ENV
    params:
        method=config["prevalence"]["method"],
        alpha=config["prevalence"]["alpha"],
        fpc=config["prevalence"]["finite_population_correction"],
    script:
        "../scripts/prevalence.py"


rule compare_published:
    input:
        valid=ancient(VALIDATED),
        code=code("compare_published"),
        clean=rules.clean_published.output.clean,
    output:
        table=report(
            f"{OUT}/tables/published_vs_reproduced.csv",
            caption="../report/published_vs_reproduced.rst",
            category="Published tables",
        ),
    log:
        f"{LOGS}/compare_published.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/compare_published.py"


rule interval_coverage:
    input:
        valid=ancient(VALIDATED),
        code=code("interval_coverage"),
    output:
        table=f"{OUT}/tables/interval_coverage.csv",
        summary=f"{OUT}/tables/interval_coverage_summary.csv",
        figure=report(
            f"{OUT}/figures/fig_interval_coverage.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
    log:
        f"{LOGS}/interval_coverage.log",
    conda:
        CONDA_ENV
    params:
        alpha=config["prevalence"]["alpha"],
    script:
        "../scripts/interval_coverage.py"
