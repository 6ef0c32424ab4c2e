"""Where each analysis of the test runs writes: results/<analysis>/, data/processed/<analysis>/
(the folder names derived by analysis_folder in workflow/rules/common.smk)."""

NATIONAL = "results/national"  # the demonstration extract (config/config.yaml)
# the worked local example (.test/config/config.yaml): "local-" and analysis.name as a slug
LOCAL = "results/local-example-partnership-synthetic-test-data"
NATIONAL_PROCESSED = "data/processed/national"
LOCAL_PROCESSED = "data/processed/local-example-partnership-synthetic-test-data"
