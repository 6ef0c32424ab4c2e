# Learning themes in a partnership's reviews (local report only), with the national
# panel's figures as a yardstick.


rule themes:
    input:
        valid=ancient(VALIDATED),
        code=code("themes"),
        reviews=rules.clean_extract.output.reviews,
        codebook=config["extracts"]["codebook"],
        plan=rules.extract_analysis.output.disclosure,
        panel=config["panel_tables"],
        panel_files=package_files(config["panel_tables"]),
        trends=config["trends"]["series"],
    output:
        themes=f"{OUT}/tables/themes.csv",
        pairs=f"{OUT}/tables/theme_pairs.csv",
        years=f"{OUT}/tables/theme_years.csv",
        yardstick=f"{OUT}/tables/theme_yardstick.csv",
        chapter=f"{OUT}/report_inputs/tbl_themes.md",
    log:
        f"{LOGS}/themes.log",
    conda:
        CONDA_ENV
    params:
        method=config["prevalence"]["method"],
        alpha=config["prevalence"]["alpha"],
        threshold=suppression_threshold(),
        partnership=config["analysis"]["name"],
    script:
        "../scripts/themes.py"
