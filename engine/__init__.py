"""Unimap: a declarative unified-API engine for marketing automation."""

__version__ = "0.1.0"
