"""Generate `schemas/mapping.schema.json` from the format models (the one definition).

`python -m engine.format.jsonschema` rewrites the committed file; a test fails when it drifts.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from engine.format.provider import ProviderFile
from engine.format.resource import ResourceFile
from engine.paths import schemas_dir

SCHEMA_ID = "https://unimap.dev/schemas/mapping.schema.json"


def mapping_schema() -> dict[str, Any]:
    """One JSON Schema (draft 2020-12) accepting a provider file or a resource file."""
    provider = ProviderFile.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    resource = ResourceFile.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    defs: dict[str, Any] = {**provider.pop("$defs", {}), **resource.pop("$defs", {})}
    defs["ProviderFile"] = provider
    defs["ResourceFile"] = resource
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Unimap mapping file",
        "description": "A provider file (`provider.yaml`) or a resource file of the Unimap "
        "mapping language v1. Generated from engine/format; do not edit by hand.",
        "oneOf": [{"$ref": "#/$defs/ProviderFile"}, {"$ref": "#/$defs/ResourceFile"}],
        "$defs": dict(sorted(defs.items())),
    }


def render() -> str:
    """The schema as committed: indented JSON with a trailing newline."""
    return json.dumps(mapping_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    """Write the schema file; print where."""
    target = schemas_dir() / "mapping.schema.json"
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
