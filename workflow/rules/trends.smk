# Trend models: are serious cases rising, falling, or changing how they are counted?


rule trends:
    input:
        valid=ancient(VALIDATED),
        code=code("trends"),
        descriptor=config["trends"]["series"],
        files=package_files(config["trends"]["series"]),
    output:
        models=report(
            f"{OUT}/tables/trend_models.csv",
            caption="../report/trend_models.rst",
            category="Trends",
        ),
        joinpoints=f"{OUT}/tables/trend_joinpoints.csv",
        backtest=f"{OUT}/tables/trend_backtest.csv",
        forecasts=f"{OUT}/tables/trend_forecasts.csv",
        contrasts=f"{OUT}/tables/trend_contrasts.csv",
        harm_share=f"{OUT}/tables/trend_harm_share.csv",
        figure=report(
            f"{OUT}/figures/fig_trends.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
    log:
        f"{LOGS}/trends.log",
    priority: 1  # on the longest chain to the report: start it first
    conda:
        CONDA_ENV
    params:
        settings={k: v for k, v in config["trends"].items() if k != "series"},
        alpha=config["prevalence"]["alpha"],
    script:
        "../scripts/trends.py"
