# The manifest: SHA-256 of every file this run wrote, written last.


rule manifest:
    input:
        code=code("manifest"),
        files=manifest_inputs(),
    output:
        manifest="results/MANIFEST.sha256",
    log:
        "logs/manifest.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/manifest.py"
