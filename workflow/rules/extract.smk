# Coded review extracts: cleaning, the published measures, agreement, subgroups.


rule clean_extract:
    input:
        code=code("clean_extract"),
        files=config["extracts"]["files"],
        codebook=config["extracts"]["codebook"],
    output:
        clean="data/processed/extract/clean.csv",
        reviews="data/processed/extract/reviews.csv",
        quarantine="data/processed/extract/quarantine.csv",
        cleaning_log="data/processed/extract/cleaning_log.csv",
        summary="data/processed/extract/summary.json",
    log:
        "logs/clean_extract.log",
    conda:
        CONDA_ENV
    params:
        start=config["analysis"]["period_start"],
        end=config["analysis"]["period_end"],
        demonstration=config["extracts"]["demonstration"],
        sheet=config["extracts"]["sheet"],
    script:
        "../scripts/clean_extract.py"


rule disclosure:
    input:
        code=code("disclosure"),
        reviews=rules.clean_extract.output.reviews,
        codebook=config["extracts"]["codebook"],
    output:
        table="data/processed/extract/disclosure.csv",
    log:
        "logs/disclosure.log",
    conda:
        CONDA_ENV
    params:
        threshold=suppression_threshold(),
    script:
        "../scripts/disclosure.py"


rule extract_measures:
    input:
        code=code("extract_measures"),
        reviews=rules.clean_extract.output.reviews,
        codebook=config["extracts"]["codebook"],
        plan=rules.disclosure.output.table,
    output:
        prevalence="results/tables/extract_prevalence.csv",
    log:
        "logs/extract_measures.log",
    conda:
        CONDA_ENV
    params:
        method=config["prevalence"]["method"],
        alpha=config["prevalence"]["alpha"],
        threshold=suppression_threshold(),
    script:
        "../scripts/extract_measures.py"


rule agreement:
    input:
        code=code("agreement"),
        clean=rules.clean_extract.output.clean,
        codebook=config["extracts"]["codebook"],
    output:
        table=report(
            "results/tables/agreement.csv",
            caption="../report/agreement.rst",
            category="Review extracts",
        ),
    log:
        "logs/agreement.log",
    conda:
        CONDA_ENV
    params:
        alpha=config["prevalence"]["alpha"],
        threshold=suppression_threshold(),
    script:
        "../scripts/agreement.py"


rule subgroups:
    input:
        code=code("subgroups"),
        reviews=rules.clean_extract.output.reviews,
        codebook=config["extracts"]["codebook"],
        plan=rules.disclosure.output.table,
    output:
        prevalence="results/tables/subgroup_prevalence.csv",
        tests="results/tables/subgroup_tests.csv",
    log:
        "logs/subgroups.log",
    conda:
        CONDA_ENV
    params:
        method=config["prevalence"]["method"],
        alpha=config["prevalence"]["alpha"],
        threshold=suppression_threshold(),
    script:
        "../scripts/subgroups.py"


rule compare_paths:
    input:
        code=code("compare_paths"),
        extract=rules.extract_measures.output.prevalence,
        published=rules.clean_published.output.clean,
    output:
        table=report(
            "results/tables/extract_vs_published.csv",
            caption="../report/extract_vs_published.rst",
            category="Review extracts",
        ),
    log:
        "logs/compare_paths.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/compare_paths.py"
