"""Benchmarks of the engine against hand-written code (see benchmarks/README.md)."""
