"""Shared set-up of the testing kit's tests."""
