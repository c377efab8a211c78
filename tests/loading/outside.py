"""A synthetic provider written to a folder outside the checkout (for `--mappings` tests)."""

from __future__ import annotations

from pathlib import Path

PROVIDER_YAML = """\
# yaml-language-server: $schema=https://unimap.dev/schemas/mapping.schema.json
provider: {name}
label: {label}
base_url: https://api.{name}.test/v1
credentials:
  - name: api_key
    label: API key
auth:
  type: bearer
  token: "{{api_key}}"
errors:
  message_path: message
check:
  path: /people
"""

CONTACTS_YAML = """\
resource: contacts
fields:
  id: to_string(id)
  email: mail
  first_name: given
  last_name: family
  name: "`null`"
  status: "'active'"
  phones: "`[]`"
  addresses: "`[]`"
  lists: "`[]`"
  tags: "`[]`"
  custom_fields: "`{{}}`"
  subscribed_at: "`null`"
  unsubscribed_at: "`null`"
  created_at: "`null`"
  updated_at: "`null`"
operations:
  list:
    request: {{method: GET, path: /people}}
    pagination: none
    response: {{records_path: {records_path}}}
  get:
    request: {{method: GET, path: "/people/{{id}}"}}
    response: {{record_path: data}}
  delete: {{not_supported: synthetic provider}}
  create: {{not_supported: synthetic provider}}
  update: {{not_supported: synthetic provider}}
  upsert: {{not_supported: synthetic provider}}
  bulk_upsert: {{not_supported: synthetic provider}}
"""


def write_provider(
    root: Path, name: str = "outside", label: str = "Outside", records_path: str = "people"
) -> Path:
    """Write provider folder `root/name` (provider.yaml and contacts.yaml); return it."""
    folder = root / name
    folder.mkdir(parents=True)
    provider = PROVIDER_YAML.format(name=name, label=label)
    (folder / "provider.yaml").write_text(provider, encoding="utf-8")
    contacts = CONTACTS_YAML.format(records_path=records_path)
    (folder / "contacts.yaml").write_text(contacts, encoding="utf-8")
    return folder
