# Figures, the numbers and tables the report uses, and the rendered report.

REPORT_SOURCE = "report"
REPORT_MAIN = "triennial-report.qmd"
REPORT_TABLES = [
    "tbl_key_data.md",
    "tbl_parental.md",
    "tbl_family.md",
    "tbl_child.md",
    "tbl_neglect_adversity.md",
    "tbl_review_methods.md",
    "tbl_comparison.md",
    "tbl_cleaning.md",
    "tbl_software.md",
    "tbl_checksums.md",
]


rule figures:
    input:
        code=PACKAGE_FILES,
        prevalence=rules.prevalence.output.table,
        clean=rules.clean_published.output.clean,
    output:
        parents_families="results/figures/fig_parents_families.svg",
        child_by_age="results/figures/fig_child_by_age.svg",
        review_flow="results/figures/fig_review_flow.svg",
    log:
        "logs/figures.log",
    conda:
        CONDA_ENV
    script:
        "../../scripts/figures.py"


rule software_versions:
    input:
        code=PACKAGE_FILES,
        data=published_files(),
        config="config/config.yaml",
    output:
        versions="results/tables/software_versions.csv",
        checksums="results/tables/input_checksums.csv",
    log:
        "logs/software_versions.log",
    conda:
        CONDA_ENV
    params:
        engine=config["report"]["engine"],
    script:
        "../../scripts/software_versions.py"


rule report_inputs:
    input:
        code=PACKAGE_FILES,
        clean=rules.clean_published.output.clean,
        cleaning_log=rules.clean_published.output.cleaning_log,
        prevalence=rules.prevalence.output.table,
        comparison=rules.compare_published.output.table,
        software=rules.software_versions.output.versions,
        checksums=rules.software_versions.output.checksums,
    output:
        variables="results/report_inputs/_variables.yml",
        tables=expand("results/report_inputs/{name}", name=REPORT_TABLES),
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
        },
    script:
        "../../scripts/report_inputs.py"


rule render_report:
    input:
        code=PACKAGE_FILES,
        sources=sorted(str(p) for p in Path(REPORT_SOURCE).rglob("*") if p.is_file()),
        variables=rules.report_inputs.output.variables,
        tables=rules.report_inputs.output.tables,
        figures=rules.figures.output,
    output:
        html="results/report/triennial-report.html",
        pdf="results/report/triennial-report.pdf",
    log:
        "logs/render_report.log",
    conda:
        CONDA_ENV
    params:
        source=lambda wildcards, input: os.path.commonpath(input.sources),
        main=REPORT_MAIN,
        engine=config["report"]["engine"],
        epoch=config["report"]["source_date_epoch"],
    script:
        "../../scripts/render_report.py"
