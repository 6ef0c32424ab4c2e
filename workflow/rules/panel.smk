# The national panel's 2023-24 figures and the 2009–11 early help figures beside the
# 2014–17 analysis: intervals on their plausible counts, and then-and-now differences.


rule then_and_now:
    input:
        valid=ancient(VALIDATED),
        code=code("then_and_now"),
        panel=config["panel_tables"],
        panel_files=package_files(config["panel_tables"]),
        series=config["trends"]["series"],
        series_files=package_files(config["trends"]["series"]),
        clean=rules.clean_published.output.clean,
    output:
        figures=f"{OUT}/tables/panel_figures.csv",
        then_and_now=f"{OUT}/tables/then_and_now.csv",
        not_used=f"{OUT}/tables/figures_not_used.csv",
        figure=report(
            f"{OUT}/figures/fig_then_and_now.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
    log:
        f"{LOGS}/then_and_now.log",
    conda:
        CONDA_ENV
    params:
        method=config["prevalence"]["method"],
        alpha=config["prevalence"]["alpha"],
    script:
        "../scripts/then_and_now.py"
