"""The SYNTHETIC demonstration extract, reconstructed from published aggregates."""
