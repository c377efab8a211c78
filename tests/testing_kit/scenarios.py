"""Plugin scenarios, run together in one separate pytest process by `test_plugin.py`.

A separate process (not `pytester`'s in-process runs, which unload the modules they import
and so split class identities between runs) starts the plugin from its entry point exactly as
a host app's suite does.
"""

import sys

import pytest


# First, before any scenario uses a fixture: a test that asks for none loads nothing of Unimap.
def test_plain():
    assert [m for m in sys.modules if m.startswith(("engine", "simulators.mailerlite"))] == []


@pytest.mark.unimap(contacts=3)
@pytest.mark.parametrize("name", ["mailerlite", "mailchimp", "brevo", "kit"])
def test_seeded(request, name):
    sandbox = request.getfixturevalue("unimap_" + name)
    assert sandbox.provider == name
    assert len(sandbox.contacts()) == 3


@pytest.mark.unimap("brevo", contacts=2)
def test_marker_provider(unimap_sandbox):
    assert unimap_sandbox.provider == "brevo"
    assert len(unimap_sandbox.contacts()) == 2


def test_default_provider(unimap_sandbox):
    assert unimap_sandbox.provider == "mailerlite"


@pytest.mark.unimap(contacts=9)
@pytest.mark.parametrize("unimap_kit", [{"contacts": 1}, {"contacts": 2}], indirect=True)
def test_indirect(unimap_kit):
    assert len(unimap_kit.contacts()) in (1, 2)


@pytest.mark.unimap(contact=3)
def test_typo(unimap_mailerlite):
    pass


def test_unmapped(unimap_kit, monkeypatch):
    monkeypatch.setattr("simulators.testing.sandbox._loaded_providers", lambda folders: {})
    unimap_kit.connect()
    raise AssertionError("not reached")


@pytest.mark.anyio
async def test_async(unimap_mailerlite):
    async with unimap_mailerlite.aconnect() as connection:
        page = await connection.contacts.list(limit=2)
    assert len(page["result"]) == 2
    assert unimap_mailerlite.requests[0].query["limit"] == "2"
