"""The link form asks for exactly what a provider declares, and reads a submission back."""

from __future__ import annotations

from functools import cache

import pytest

from engine.api import Engine
from engine.format.provider import CredentialField, ProviderFile, SettingField
from engine.server.link_page.form import form_fields, parse_submission

# What each bundled mapping declares (credentials, then settings), as the page must ask for it.
EXPECTED_FIELDS = {
    "mailerlite": ["credential.api_key"],
    "mailchimp": ["credential.api_key", "setting.list_id"],
    "brevo": ["credential.api_key", "setting.folder_id"],
    "kit": ["credential.api_key"],
}


@cache
def _bundled_engine() -> Engine:
    """The bundled mappings, loaded once per process (each test has a home of its own, so
    loading them per provider read every YAML file again)."""
    return Engine.load()


def bundled(provider: str) -> ProviderFile:
    """The provider file of a bundled mapping."""
    return _bundled_engine().mapping(provider).provider


def synthetic(**changes: object) -> ProviderFile:
    """The MailerLite provider file with other credentials or settings."""
    return bundled("mailerlite").model_copy(update=changes)


@pytest.mark.parametrize("provider", sorted(EXPECTED_FIELDS))
def test_the_form_asks_for_each_declared_credential_then_each_setting(provider: str) -> None:
    fields = form_fields(bundled(provider))
    assert [f.name for f in fields] == EXPECTED_FIELDS[provider]


@pytest.mark.parametrize("provider", sorted(EXPECTED_FIELDS))
def test_labels_and_help_text_come_from_the_mapping(provider: str) -> None:
    declared = bundled(provider)
    fields = {f.name: f for f in form_fields(declared)}
    for credential in declared.credentials:
        field = fields[f"credential.{credential.name}"]
        assert (field.label, field.help) == (credential.label, credential.description)
    for setting in declared.settings:
        field = fields[f"setting.{setting.name}"]
        assert (field.label, field.help) == (setting.label, setting.description)


@pytest.mark.parametrize("provider", sorted(EXPECTED_FIELDS))
def test_a_secret_credential_is_a_password_input(provider: str) -> None:
    key = next(f for f in form_fields(bundled(provider)) if f.name == "credential.api_key")
    assert (key.secret, key.input_type, key.required) == (True, "password", True)


def test_a_non_secret_credential_is_a_text_input() -> None:
    provider = synthetic(
        credentials=[CredentialField(name="account", label="Account id", secret=False)]
    )
    [field] = form_fields(provider)
    assert (field.secret, field.input_type) == (False, "text")


def test_re_authorising_asks_for_the_credentials_only() -> None:
    fields = form_fields(bundled("mailchimp"), reauthorise=True)
    assert [f.name for f in fields] == ["credential.api_key"]


def test_settings_take_their_input_type_from_their_default() -> None:
    provider = synthetic(
        settings=[
            SettingField(name="days", label="Days", default=7),
            SettingField(name="double_opt_in", label="Double opt-in", default=False),
            SettingField(name="folder", label="Folder"),
        ]
    )
    types = {f.key: f.input_type for f in form_fields(provider)}
    assert types == {
        "api_key": "password",
        "days": "number",
        "double_opt_in": "checkbox",
        "folder": "text",
    }


def test_a_submission_gives_the_credentials_and_settings() -> None:
    fields = form_fields(bundled("mailchimp"))
    submission = parse_submission(
        fields, {"credential.api_key": " key-us1 ", "setting.list_id": "abc", "other": "x"}
    )
    assert submission.credentials == {"api_key": "key-us1"}
    assert submission.settings == {"list_id": "abc"}
    assert submission.problems == {}


def test_an_empty_optional_setting_is_left_out() -> None:
    submission = parse_submission(
        form_fields(bundled("brevo")), {"credential.api_key": "k", "setting.folder_id": ""}
    )
    assert submission.settings == {}


def test_a_missing_required_credential_is_a_problem_naming_its_label() -> None:
    submission = parse_submission(form_fields(bundled("kit")), {"credential.api_key": "  "})
    assert submission.problems == {"credential.api_key": "API key (v4) is required."}
    assert submission.credentials == {}


def test_a_number_setting_is_read_as_a_number_and_refused_when_it_is_not_one() -> None:
    fields = form_fields(synthetic(settings=[SettingField(name="days", label="Days", default=7)]))
    good = parse_submission(fields, {"credential.api_key": "k", "setting.days": "30"})
    bad = parse_submission(fields, {"credential.api_key": "k", "setting.days": "thirty"})
    assert good.settings == {"days": 30}
    assert bad.problems == {"setting.days": "Days must be a number."}


def test_a_checkbox_setting_is_true_when_ticked_and_false_when_absent() -> None:
    fields = form_fields(
        synthetic(settings=[SettingField(name="opt_in", label="Opt in", default=True)])
    )
    ticked = parse_submission(fields, {"credential.api_key": "k", "setting.opt_in": "on"})
    unticked = parse_submission(fields, {"credential.api_key": "k"})
    assert (ticked.settings, unticked.settings) == ({"opt_in": True}, {"opt_in": False})
