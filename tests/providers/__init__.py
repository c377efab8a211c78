"""Provider mappings driven by the engine against their simulators, in process."""
