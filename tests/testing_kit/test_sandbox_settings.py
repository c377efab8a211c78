"""A sandbox connects with the connection settings its seeded simulator needs."""

from __future__ import annotations

import pytest

from simulators.testing.sandbox import Sandbox


@pytest.mark.unimap(contacts=3)
def test_a_brevo_sandbox_connection_creates_lists_in_the_seeded_folder(
    unimap_brevo: Sandbox,
) -> None:
    created = unimap_brevo.connection.lists.create({"name": "Buyers"})
    assert created["name"] == "Buyers"
    assert unimap_brevo.settings == {"folder_id": 1}


@pytest.mark.unimap(contacts=3)
def test_explicit_settings_win_over_the_sandbox_defaults(unimap_brevo: Sandbox) -> None:
    connection = unimap_brevo.connect(settings={"folder_id": 99})
    assert connection.session.settings["folder_id"] == 99
