# The manifest: SHA-256 of every file this run wrote, written last.


rule manifest:
    input:
        valid=ancient(VALIDATED),
        code=code("manifest"),
        files=manifest_inputs(),
    output:
        manifest=f"{OUT}/MANIFEST.sha256",
    log:
        f"{LOGS}/manifest.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/manifest.py"
