"""Render the Quarto report to one self-contained HTML file and one PDF.

Two engines: ``quarto`` (Quarto itself, when installed) and ``pandoc`` (a fallback that emulates
the Quarto features the report uses, with Pandoc, Lua filters and Typst from PyPI). Modules:
`engine` (which engine runs), `document` (render a project on a scratch copy), `pandoc`,
`quarto`, and `shortcodes` (Quarto's var and include shortcodes, for the fallback).
"""
