"""Checks of a run against committed reference results."""
