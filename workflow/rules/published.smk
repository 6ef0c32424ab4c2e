# The published tables: validated first, then corrected and stacked into one tidy table.


rule validate_published:
    input:
        code=code("validate_published"),
        descriptor=config["published_tables"],
        files=published_files(),
    output:
        report=f"{PROCESSED}/published/validation.json",
    log:
        f"{LOGS}/validate_published.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/validate_published.py"


rule clean_published:
    input:
        code=code("clean_published"),
        descriptor=config["published_tables"],
        files=published_files(),
        validation=rules.validate_published.output.report,
    output:
        clean=f"{PROCESSED}/published/published_figures.csv",
        cleaning_log=f"{PROCESSED}/published/cleaning_log.csv",
    log:
        f"{LOGS}/clean_published.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/clean_published.py"
