# Learning themes in a partnership's reviews (local report only), with the national
# panel's figures as a yardstick.


rule themes:
    input:
        code=code("themes"),
        reviews=rules.clean_extract.output.reviews,
        codebook=config["extracts"]["codebook"],
        plan=rules.disclosure.output.table,
        panel=config["panel_tables"],
        panel_files=package_files(config["panel_tables"]),
        trends=config["trends"]["series"],
    output:
        themes="results/tables/themes.csv",
        pairs="results/tables/theme_pairs.csv",
        years="results/tables/theme_years.csv",
        yardstick="results/tables/theme_yardstick.csv",
        chapter="results/report_inputs/tbl_themes.md",
    log:
        "logs/themes.log",
    conda:
        CONDA_ENV
    params:
        method=config["prevalence"]["method"],
        alpha=config["prevalence"]["alpha"],
        threshold=suppression_threshold(),
        partnership=config["analysis"]["name"],
    script:
        "../scripts/themes.py"
