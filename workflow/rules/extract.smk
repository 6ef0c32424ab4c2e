# Coded review extracts: cleaning, the published measures, agreement, subgroups.


rule clean_extract:
    input:
        code=code("clean_extract"),
        files=config["extracts"]["files"],
        codebook=config["extracts"]["codebook"],
    output:
        clean=f"{PROCESSED}/extract/clean.csv",
        reviews=f"{PROCESSED}/extract/reviews.csv",
        quarantine=f"{PROCESSED}/extract/quarantine.csv",
        cleaning_log=f"{PROCESSED}/extract/cleaning_log.csv",
        summary=f"{PROCESSED}/extract/summary.json",
    log:
        f"{LOGS}/clean_extract.log",
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
        table=f"{PROCESSED}/extract/disclosure.csv",
    log:
        f"{LOGS}/disclosure.log",
    conda:
        CONDA_ENV
    params:
        threshold=suppression_threshold(),
    script:
        "../scripts/disclosure.py"


rule extract_measures:
    input:
        valid=ancient(VALIDATED),
        code=code("extract_measures"),
        reviews=rules.clean_extract.output.reviews,
        codebook=config["extracts"]["codebook"],
        plan=rules.disclosure.output.table,
    output:
        prevalence=f"{OUT}/tables/extract_prevalence.csv",
    log:
        f"{LOGS}/extract_measures.log",
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
        valid=ancient(VALIDATED),
        code=code("agreement"),
        clean=rules.clean_extract.output.clean,
        codebook=config["extracts"]["codebook"],
    output:
        table=report(
            f"{OUT}/tables/agreement.csv",
            caption="../report/agreement.rst",
            category="Review extracts",
        ),
    log:
        f"{LOGS}/agreement.log",
    conda:
        CONDA_ENV
    params:
        alpha=config["prevalence"]["alpha"],
        threshold=suppression_threshold(),
    script:
        "../scripts/agreement.py"


rule subgroups:
    input:
        valid=ancient(VALIDATED),
        code=code("subgroups"),
        reviews=rules.clean_extract.output.reviews,
        codebook=config["extracts"]["codebook"],
        plan=rules.disclosure.output.table,
    output:
        prevalence=f"{OUT}/tables/subgroup_prevalence.csv",
        tests=f"{OUT}/tables/subgroup_tests.csv",
    log:
        f"{LOGS}/subgroups.log",
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
        valid=ancient(VALIDATED),
        code=code("compare_paths"),
        extract=rules.extract_measures.output.prevalence,
        published=rules.clean_published.output.clean,
    output:
        table=report(
            f"{OUT}/tables/extract_vs_published.csv",
            caption="../report/extract_vs_published.rst",
            category="Review extracts",
        ),
    log:
        f"{LOGS}/compare_paths.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/compare_paths.py"
