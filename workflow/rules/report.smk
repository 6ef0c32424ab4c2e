# Figures, the numbers and tables the report uses, and the rendered report
# (national or local: see NATIONAL in common.smk).


rule figures:
    input:
        valid=ancient(VALIDATED),
        code=code("figures"),
        prevalence=estimates(),
    output:
        parents_families=report(
            f"{OUT}/figures/fig_parents_families.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
        child_by_age=report(
            f"{OUT}/figures/fig_child_by_age.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
        review_flow=report(
            f"{OUT}/figures/fig_review_flow.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
    log:
        f"{LOGS}/figures.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/figures.py"


rule software_versions:
    input:
        valid=ancient(VALIDATED),
        code=code("software_versions"),
        data=checksummed_inputs(),
    output:
        versions=f"{OUT}/tables/software_versions.csv",
        checksums=f"{OUT}/tables/input_checksums.csv",
    log:
        f"{LOGS}/software_versions.log",
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
        variables=f"{OUT}/report_inputs/_variables.yml",
        tables=expand(
            f"{OUT}/report_inputs/{{name}}", name=contents.table_files(NATIONAL)
        ),
    log:
        f"{LOGS}/report_inputs.log",
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
            "results": OUT,
            "processed": PROCESSED,
        },
        national=NATIONAL,
        threshold=suppression_threshold(),
        method=config["prevalence"]["method"],
        bruising=config["bruising"],
    script:
        "../scripts/report_inputs.py"


rule render_report:
    input:
        valid=ancient(VALIDATED),
        code=code("render_report"),
        sources=sorted(str(p) for p in Path(REPORT_SOURCE).rglob("*") if p.is_file()),
        variables=rules.report_inputs.output.variables,
        tables=[*rules.report_inputs.output.tables, *theme_chapter()],
        figures=report_figures(),
    output:
        html=report(
            f"{OUT}/report/{OUTPUT_STEM}.html",
            caption="../report/report_files.rst",
            category="Report",
        ),
        pdf=report(
            f"{OUT}/report/{OUTPUT_STEM}.pdf",
            caption="../report/report_files.rst",
            category="Report",
        ),
    log:
        f"{LOGS}/render_report.log",
    conda:
        CONDA_ENV
    threads: 2  # Pandoc writes the HTML while the PDF is typeset
    params:
        source=lambda wildcards, input: os.path.commonpath(input.sources),
        main=f"{REPORT_STEM}.qmd",
        engine=ENGINE,
        epoch=date_epoch(config["report"]["release_date"]),
    script:
        "../scripts/render_report.py"
