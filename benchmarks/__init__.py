"""Reproducible performance measurements of chronos beside the tools a user would pick instead."""
