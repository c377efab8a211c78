"""The link form's fields, read from a provider's declaration, and the parsing of a submission.

Pure: no I/O. Every credential the provider declares becomes a field (a password input when
it is secret), then every connection setting (a text, number or checkbox input following the
type of its default), each with the label and help text written in the mapping. Re-authorising
an existing account asks for the credentials only: its settings stay as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from engine.settings import SettingValue

if TYPE_CHECKING:
    from engine.format.provider import ProviderFile

__all__ = ["FormField", "Submission", "form_fields", "parse_submission"]

InputType = Literal["password", "text", "number", "checkbox"]


@dataclass(frozen=True)
class FormField:
    """One input of the link form."""

    name: str
    """The form field's name: `credential.<name>` or `setting.<name>`."""
    label: str
    help: str | None
    required: bool
    secret: bool
    input_type: InputType
    default: SettingValue | None = None

    @property
    def is_credential(self) -> bool:
        """Whether the field is a credential (else a connection setting)."""
        return self.name.startswith("credential.")

    @property
    def key(self) -> str:
        """The credential's or setting's own name (`api_key`, `list_id`, ...)."""
        return self.name.split(".", 1)[1]


@dataclass(frozen=True)
class Submission:
    """A parsed form: the values to link with, or the problems to show (by field name)."""

    credentials: dict[str, str]
    settings: dict[str, SettingValue]
    problems: dict[str, str]


def _setting_input(default: SettingValue | None) -> InputType:
    if isinstance(default, bool):
        return "checkbox"
    if isinstance(default, int | float):
        return "number"
    return "text"


def form_fields(provider: ProviderFile, *, reauthorise: bool = False) -> list[FormField]:
    """The fields to ask for: credentials first, then settings unless `reauthorise`."""
    fields = [
        FormField(
            name=f"credential.{c.name}",
            label=c.label,
            help=c.description,
            required=c.required,
            secret=c.secret,
            input_type="password" if c.secret else "text",
        )
        for c in provider.credentials
    ]
    if not reauthorise:
        fields += [
            FormField(
                name=f"setting.{s.name}",
                label=s.label,
                help=s.description,
                required=s.required and s.default is None,
                secret=False,
                input_type=_setting_input(s.default),
                default=s.default,
            )
            for s in provider.settings
        ]
    return fields


def _setting_value(field: FormField, raw: str) -> SettingValue:
    """The typed value of a setting's text; ValueError when a number is not one."""
    if field.input_type == "checkbox":
        return raw.lower() in ("on", "true", "1", "yes")
    if field.input_type == "number":
        number = float(raw)
        return int(number) if isinstance(field.default, int) and number.is_integer() else number
    return raw


def parse_submission(fields: list[FormField], form: Mapping[str, str]) -> Submission:
    """Read the submitted values of `fields` from `form` (other keys are ignored).

    Values are stripped of surrounding white space; an empty optional value is left out. A
    missing required value or a number that is not one is a problem naming the field's label,
    never its value.
    """
    credentials: dict[str, str] = {}
    settings: dict[str, SettingValue] = {}
    problems: dict[str, str] = {}
    for field in fields:
        raw = form.get(field.name, "").strip()
        if field.input_type == "checkbox" and not field.is_credential:
            settings[field.key] = _setting_value(field, raw)
            continue
        if not raw:
            if field.required:
                problems[field.name] = f"{field.label} is required."
            continue
        if field.is_credential:
            credentials[field.key] = raw
            continue
        try:
            settings[field.key] = _setting_value(field, raw)
        except ValueError:
            problems[field.name] = f"{field.label} must be a number."
    return Submission(credentials=credentials, settings=settings, problems=problems)
