# Figures, the numbers and tables the report uses, and the rendered report
# (national or local: see NATIONAL in common.smk).


rule figures:
    input:
        code=code("figures"),
        prevalence=estimates(),
    output:
        parents_families=report(
            "results/figures/fig_parents_families.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
        child_by_age=report(
            "results/figures/fig_child_by_age.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
        review_flow=report(
            "results/figures/fig_review_flow.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
    log:
        "logs/figures.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/figures.py"


rule software_versions:
    input:
        code=code("software_versions"),
        data=checksummed_inputs(),
    output:
        versions="results/tables/software_versions.csv",
        checksums="results/tables/input_checksums.csv",
    log:
        "logs/software_versions.log",
    conda:
        CONDA_ENV
    params:
        engine=ENGINE,
    script:
        "../scripts/software_versions.py"


rule report_inputs:
    input:
        unpack(report_inputs),
    output:
        variables="results/report_inputs/_variables.yml",
        tables=expand(
            "results/report_inputs/{name}", name=contents.table_files(NATIONAL)
        ),
    log:
        "logs/report_inputs.log",
    conda:
        CONDA_ENV
    params:
        meta={
            "name": config["analysis"]["name"],
            "period": config["analysis"]["period"],
            "period_start": config["analysis"]["period_start"],
            "period_end": config["analysis"]["period_end"],
            "version": __import__("triennial").__version__,
            "author": config["report"]["author"],
            "release_date": config["report"]["release_date"],
            "suppression_threshold": str(suppression_threshold()),
        },
        national=NATIONAL,
        threshold=suppression_threshold(),
        method=config["prevalence"]["method"],
        bruising=config["bruising"],
    script:
        "../scripts/report_inputs.py"


rule render_report:
    input:
        code=code("render_report"),
        sources=sorted(str(p) for p in Path(REPORT_SOURCE).rglob("*") if p.is_file()),
        variables=rules.report_inputs.output.variables,
        tables=[*rules.report_inputs.output.tables, *theme_chapter()],
        figures=report_figures(),
    output:
        html=report(
            f"results/report/{OUTPUT_STEM}.html",
            caption="../report/report_files.rst",
            category="Report",
        ),
        pdf=report(
            f"results/report/{OUTPUT_STEM}.pdf",
            caption="../report/report_files.rst",
            category="Report",
        ),
    log:
        "logs/render_report.log",
    conda:
        CONDA_ENV
    params:
        source=lambda wildcards, input: os.path.commonpath(input.sources),
        main=f"{REPORT_STEM}.qmd",
        engine=ENGINE,
        epoch=date_epoch(config["report"]["release_date"]),
    script:
        "../scripts/render_report.py"
