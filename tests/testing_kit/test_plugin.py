"""The pytest plugin: fixtures, the `unimap` marker, skips, and a cheap, inert import."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert found.get("unimap") == "simulators.testing.plugin"


def test_importing_the_plugin_loads_neither_the_engine_nor_a_simulator() -> None:
    code = (
        "import sys, simulators.testing.plugin as p; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('engine', 'httpx', 'anyio') "
        "or m.startswith('simulators.mailerlite')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_each_provider_fixture_gives_a_sandbox_seeded_from_the_marker(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.unimap(contacts=3)
        @pytest.mark.parametrize("name", ["mailerlite", "mailchimp", "brevo", "kit"])
        def test_seeded(request, name):
            sandbox = request.getfixturevalue("unimap_" + name)
            assert sandbox.provider == name
            assert len(sandbox.contacts()) == 3
        """
    )
    pytester.runpytest("--strict-markers", "-p", "no:cacheprovider").assert_outcomes(passed=4)


def test_unimap_sandbox_takes_its_provider_from_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.unimap("brevo", contacts=2)
        def test_brevo(unimap_sandbox):
            assert unimap_sandbox.provider == "brevo"
            assert len(unimap_sandbox.contacts()) == 2

        def test_default(unimap_sandbox):
            assert unimap_sandbox.provider == "mailerlite"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_indirect_parameters_win_over_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.unimap(contacts=9)
        @pytest.mark.parametrize("unimap_kit", [{"contacts": 1}, {"contacts": 2}], indirect=True)
        def test_sizes(unimap_kit):
            assert len(unimap_kit.contacts()) in (1, 2)
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_a_bad_marker_option_errors_naming_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.unimap(contact=3)
        def test_typo(unimap_mailerlite):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown unimap option(s) contact*"])


def test_a_connection_to_a_provider_without_mapping_skips_the_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        def test_connect(unimap_kit, monkeypatch):
            monkeypatch.setattr("simulators.testing.sandbox._loaded_providers", lambda f: {})
            unimap_kit.connection
            raise AssertionError("not reached")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*Unimap has no 'kit' mapping yet*"])


def test_fixtures_work_in_async_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.anyio
        async def test_async(unimap_mailerlite):
            async with unimap_mailerlite.aconnect() as connection:
                page = await connection.contacts.list(limit=2)
            assert len(page["result"]) == 2
            assert unimap_mailerlite.requests[0].query["limit"] == "2"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_suite_without_the_fixtures_imports_neither_engine_nor_simulators(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import sys

        def test_plain():
            loaded = [m for m in sys.modules if m.startswith(("engine", "simulators.mailerlite"))]
            assert loaded == []
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
