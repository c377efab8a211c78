"""`docs/providers.md` is generated from the bundled mappings and kept up to date."""

from __future__ import annotations

from engine.loader import providers_doc


def test_committed_providers_doc_is_up_to_date() -> None:
    committed = providers_doc.DOC_PATH.read_text(encoding="utf-8")
    assert committed == providers_doc.render_bundled(), (
        "docs/providers.md is out of date; regenerate it with "
        "`python -m engine.loader.providers_doc` and commit the result"
    )


def test_every_bundled_provider_has_a_column_and_a_section() -> None:
    text = providers_doc.render_bundled()
    header = text.split("| resource | method | ", 1)[1].split("\n", 1)[0]
    for mapping in providers_doc.load_mappings([providers_doc.mappings_dir()]).providers.values():
        assert mapping.name in header
        assert f"(`{mapping.name}`)" in text


def test_a_not_supported_method_shows_its_reason() -> None:
    from engine.format.resource import Operation

    assert providers_doc.how(Operation(not_supported="no such endpoint")) == (
        "not supported: no such endpoint"
    )
