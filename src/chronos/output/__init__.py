"""Presentation: terminal tables, plain-text and JSON renderings, and timeline charts."""
