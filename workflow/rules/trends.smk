# Trend models: are serious cases rising, falling, or changing how they are counted?


rule trends:
    input:
        code=code("trends"),
        descriptor=config["trends"]["series"],
        files=package_files(config["trends"]["series"]),
    output:
        models=report(
            "results/tables/trend_models.csv",
            caption="../report/trend_models.rst",
            category="Trends",
        ),
        joinpoints="results/tables/trend_joinpoints.csv",
        backtest="results/tables/trend_backtest.csv",
        forecasts="results/tables/trend_forecasts.csv",
        contrasts="results/tables/trend_contrasts.csv",
        harm_share="results/tables/trend_harm_share.csv",
        figure=report(
            "results/figures/fig_trends.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
    log:
        "logs/trends.log",
    conda:
        CONDA_ENV
    params:
        settings={k: v for k, v in config["trends"].items() if k != "series"},
        alpha=config["prevalence"]["alpha"],
    script:
        "../scripts/trends.py"
