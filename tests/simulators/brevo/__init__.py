"""Tests of the Brevo v3 simulator, driven over its in-process transport."""
