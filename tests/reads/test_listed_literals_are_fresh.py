"""A listing's records never share a container a mapping wrote as a literal (Kit maps
`tags` to `` `[]` ``): a host changing one listed record changes no other."""

from __future__ import annotations

from simulators.testing import Sandbox


def test_changing_one_listed_contacts_literal_tags_leaves_the_others_untouched() -> None:
    connection = Sandbox("kit", contacts=3, rate_limits=False).connect()
    first, *others = list(connection.iterate("contacts", {}))
    first["tags"].append({"id": "1", "name": "vip"})
    assert others and all(contact["tags"] == [] for contact in others)
    assert all(contact["tags"] == [] for contact in connection.iterate("contacts", {}))
