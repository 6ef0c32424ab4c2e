"""Statistics and data handling for the triennial analysis of serious case reviews.

Layers, lowest first: stats, data, analysis and synthetic, figures, report, pipeline;
each imports only from its own and lower layers (tests/test_layers.py). No Snakemake in
here: the rule scripts in workflow/scripts/ call `pipeline`.
"""

__version__ = "0.1.0"
