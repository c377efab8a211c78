"""The Brevo mapping through the engine against the in-process Brevo simulator."""
