# Every raw input is checked before any result of the run is written: the extract
# (clean_extract) and the published tables (validate_published) by their own rules, the
# other data packages here; inputs_valid is written once all of them pass, and every rule
# that writes under results/ waits for it (VALIDATED in common.smk).


rule validate_package:
    input:
        code=code("validate_package"),
        descriptor=lambda wildcards: raw_packages()[wildcards.package],
        files=lambda wildcards: package_files(raw_packages()[wildcards.package]),
        # the panel's figures are checked against bases printed in the trend series
        series=lambda wildcards: (
            package_files(config["trends"]["series"])
            if wildcards.package == "panel"
            else []
        ),
    output:
        report=f"{PROCESSED}/validation/{{package}}.json",
    log:
        f"{LOGS}/validate_package_{{package}}.log",
    wildcard_constraints:
        package="trends|bruising|panel",
    conda:
        CONDA_ENV
    params:
        series=config["trends"]["series"],
    script:
        "../scripts/validate_package.py"


rule inputs_valid:
    input:
        code=code("inputs_valid"),
        validations=validations(),
    output:
        gate=VALIDATED,
    log:
        f"{LOGS}/inputs_valid.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/inputs_valid.py"
