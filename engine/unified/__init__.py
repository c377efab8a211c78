"""The unified marketing-automation contract in code.

- :mod:`engine.unified.schemas` loads the JSON Schemas in ``schemas/unified/`` and answers
  questions about them (record and write schemas, field names, validators).
- :mod:`engine.unified.validate` checks records and write bodies and reports
  :class:`~engine.errors.FieldProblem` s written for people.
- :mod:`engine.suggest` (shared) finds "did you mean" candidates for misspelt names.

Import the submodules directly; this package module stays import-free so that
``engine.errors`` and the submodules can depend on each other without cycles.
"""
