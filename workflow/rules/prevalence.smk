# Estimates with confidence intervals, and the check against the printed figures.


rule prevalence:
    input:
        code=code("prevalence"),
        clean=rules.clean_published.output.clean,
    output:
        table=report(
            "results/tables/prevalence.csv",
            caption="../report/prevalence.rst",
            category="Published tables",
        ),
        not_estimated="results/tables/not_estimated.csv",
    log:
        "logs/prevalence.log",
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
        code=code("compare_published"),
        clean=rules.clean_published.output.clean,
    output:
        table=report(
            "results/tables/published_vs_reproduced.csv",
            caption="../report/published_vs_reproduced.rst",
            category="Published tables",
        ),
    log:
        "logs/compare_published.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/compare_published.py"


rule interval_coverage:
    input:
        code=code("interval_coverage"),
    output:
        table="results/tables/interval_coverage.csv",
        summary="results/tables/interval_coverage_summary.csv",
        figure=report(
            "results/figures/fig_interval_coverage.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
    log:
        "logs/interval_coverage.log",
    conda:
        CONDA_ENV
    params:
        alpha=config["prevalence"]["alpha"],
    script:
        "../scripts/interval_coverage.py"
