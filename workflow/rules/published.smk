# The published tables: validated first, then corrected and stacked into one tidy table.


rule validate_published:
    input:
        code=code("validate_published"),
        descriptor=config["published_tables"],
        files=published_files(),
    output:
        report="data/processed/published/validation.json",
    log:
        "logs/validate_published.log",
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
        clean="data/processed/published/published_figures.csv",
        cleaning_log="data/processed/published/cleaning_log.csv",
    log:
        "logs/clean_published.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/clean_published.py"
