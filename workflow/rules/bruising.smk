# Bruising in pre-mobile infants: base rates, the pooled rate, what a bruise implies.


rule bruising_rates:
    input:
        valid=ancient(VALIDATED),
        code=code("bruising_rates"),
        descriptor=config["bruising"]["studies"],
        files=bruising_files(),
    output:
        base_rates=f"{OUT}/tables/bruising_base_rates.csv",
        audit=f"{OUT}/tables/bruising_audit.csv",
        disagreements=f"{OUT}/tables/bruising_audit_disagreements.csv",
    log:
        f"{LOGS}/bruising_rates.log",
    priority: 1  # on the longest chain to the report: start it first
    conda:
        CONDA_ENV
    params:
        method=config["prevalence"]["method"],
        alpha=config["prevalence"]["alpha"],
    script:
        "../scripts/bruising_rates.py"


rule bruising_pool:
    input:
        valid=ancient(VALIDATED),
        code=code("bruising_pool"),
        descriptor=config["bruising"]["studies"],
        files=bruising_files(),
        checked=rules.bruising_rates.output.base_rates,
    output:
        pooled=report(
            f"{OUT}/tables/bruising_pooled.csv",
            caption="../report/bruising_pooled.rst",
            category="Bruising",
        ),
        selection=f"{OUT}/tables/bruising_pool_selection.csv",
        leave_one_out=f"{OUT}/tables/bruising_leave_one_out.csv",
        subgroups=f"{OUT}/tables/bruising_subgroups.csv",
        forest=report(
            f"{OUT}/figures/fig_bruising_forest.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
    log:
        f"{LOGS}/bruising_pool.log",
    priority: 1  # on the longest chain to the report: start it first
    conda:
        CONDA_ENV
    params:
        pooling=config["bruising"]["pooling"],
        method=config["prevalence"]["method"],
        alpha=config["prevalence"]["alpha"],
    script:
        "../scripts/bruising_pool.py"


rule bruising_implications:
    input:
        valid=ancient(VALIDATED),
        code=code("bruising_implications"),
        pooled=rules.bruising_pool.output.pooled,
        rates=rules.bruising_rates.output.base_rates,
        descriptor=config["bruising"]["studies"],
        files=bruising_files(),
    output:
        scenarios=f"{OUT}/tables/bruising_scenarios.csv",
        ppv=f"{OUT}/tables/bruising_ppv.csv",
        one_way=f"{OUT}/tables/bruising_one_way.csv",
        monte_carlo=f"{OUT}/tables/bruising_monte_carlo.csv",
        tornado=report(
            f"{OUT}/figures/fig_bruising_tornado.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
        monte_carlo_figure=report(
            f"{OUT}/figures/fig_bruising_monte_carlo.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
        period=f"{OUT}/tables/bruising_period.csv",
        period_figure=report(
            f"{OUT}/figures/fig_bruising_period.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
    log:
        f"{LOGS}/bruising_implications.log",
    priority: 1  # on the longest chain to the report: start it first
    conda:
        CONDA_ENV
    params:
        bruising=config["bruising"],
    script:
        "../scripts/bruising_implications.py"
