"""Figures: one house style (`style`), one module per topic; deterministic SVG."""
