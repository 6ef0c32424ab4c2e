# Coded review extracts: cleaning, then (one job) the suppression plan, the published
# measures, subgroups and agreement; the comparison with the published tables.


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


rule extract_analysis:
    input:
        valid=ancient(VALIDATED),
        code=code("extract_analysis"),
        reviews=rules.clean_extract.output.reviews,
        clean=rules.clean_extract.output.clean,
        codebook=config["extracts"]["codebook"],
    output:
        disclosure=f"{PROCESSED}/extract/disclosure.csv",
        prevalence=f"{OUT}/tables/extract_prevalence.csv",
        subgroup_prevalence=f"{OUT}/tables/subgroup_prevalence.csv",
        subgroup_tests=f"{OUT}/tables/subgroup_tests.csv",
        agreement=report(
            f"{OUT}/tables/agreement.csv",
            caption="../report/agreement.rst",
            category="Review extracts",
        ),
    log:
        f"{LOGS}/extract_analysis.log",
    conda:
        CONDA_ENV
    params:
        method=config["prevalence"]["method"],
        alpha=config["prevalence"]["alpha"],
        threshold=suppression_threshold(),
    script:
        "../scripts/extract_analysis.py"


rule compare_paths:
    input:
        valid=ancient(VALIDATED),
        code=code("compare_paths"),
        extract=rules.extract_analysis.output.prevalence,
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
