"""The link page's HTML: the form and the message pages, rendered on the server.

Every value put in a page goes through `html.escape` (labels and help text come from mapping
files, messages from providers). No script; one inline style block, allowed by its hash in the
Content-Security-Policy (`security_headers`). Accessible without JavaScript: each input has a
`<label>`, its help and its error are tied to it with `aria-describedby`, a problem sets
`aria-invalid`, and the page's message is a `role="alert"` region.

A secret field is never given a value: a re-rendered form asks for the key again.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from html import escape

from engine.server.link_page.csrf import FIELD_NAME
from engine.server.link_page.form import FormField

__all__ = ["STYLE", "message_page", "page_form", "security_headers"]

STYLE = """
body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;
line-height:1.5;color:#1b1b1b;background:#fff}
h1{font-size:1.5rem}label{display:block;font-weight:600;margin-top:1.25rem}
.help{margin:.25rem 0;color:#4a4a4a;font-size:.95rem}
input[type=password],input[type=text],input[type=number]{width:100%;box-sizing:border-box;
padding:.5rem;font-size:1rem;border:1px solid #6b6b6b;border-radius:4px}
input:focus,button:focus{outline:3px solid #1a5fb4;outline-offset:2px}
[aria-invalid=true]{border-color:#b00020}
.error{color:#b00020;font-weight:600;margin:.25rem 0}
.alert{border:2px solid #b00020;padding:.75rem;border-radius:4px;color:#b00020}
.ok{border-color:#1e7d32;color:#1e7d32}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem;border-radius:4px;
border:0;background:#1a5fb4;color:#fff;cursor:pointer}
.note{margin-top:1.5rem;font-size:.9rem;color:#4a4a4a}
"""

_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()


def security_headers(form_targets: Iterable[str] = ()) -> dict[str, str]:
    """Headers of every link page: no caching, no framing, no referrer, no script.

    `form_targets` are the origins the form's answer may redirect to (browsers check a
    redirect after a form submission against `form-action`).
    """
    form_action = " ".join(["'self'", *form_targets])
    policy = (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action {form_action}; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def _document(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _input_id(field: FormField) -> str:
    return "f-" + field.name.replace(".", "-")


def _input(field: FormField, value: str | None, problem: str | None) -> str:
    ident = _input_id(field)
    described = [f"{ident}-help"] if field.help else []
    if problem:
        described.append(f"{ident}-error")
    attributes = [
        f'id="{ident}"',
        f'name="{escape(field.name)}"',
        f'type="{field.input_type}"',
        'autocomplete="off" spellcheck="false" autocapitalize="off"',
    ]
    if field.required:
        attributes.append('required aria-required="true"')
    if described:
        attributes.append(f'aria-describedby="{" ".join(described)}"')
    if problem:
        attributes.append('aria-invalid="true"')
    if field.input_type == "checkbox":
        if value in ("on", "true", "1", "yes") or (value is None and field.default is True):
            attributes.append("checked")
    elif not field.secret and value:
        attributes.append(f'value="{escape(value)}"')
    elif field.input_type == "number":
        attributes.append('step="any"')
    return f"<input {' '.join(attributes)}>"


def _field(field: FormField, value: str | None, problem: str | None) -> str:
    ident = _input_id(field)
    optional = "" if field.required else " (optional)"
    parts = [f'<label for="{ident}">{escape(field.label)}{optional}</label>']
    if field.help:
        parts.append(f'<p class="help" id="{ident}-help">{escape(field.help)}</p>')
    if problem:
        parts.append(f'<p class="error" id="{ident}-error">{escape(problem)}</p>')
    parts.append(_input(field, None if field.secret else value, problem))
    return "<div>" + "".join(parts) + "</div>"


def page_form(
    *,
    provider_label: str,
    fields: list[FormField],
    csrf_value: str,
    reauthorise: bool = False,
    values: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
    message: str | None = None,
) -> str:
    """The link form. `values` refill non-secret fields after a refused submission; secret
    fields are always left empty. `message` is shown in an alert region at the top."""
    values, problems = values or {}, problems or {}
    verb = "Reconnect" if reauthorise else "Connect"
    title = f"{verb} your {provider_label} account"
    alert = (
        f'<div class="alert" role="alert" id="form-message">{escape(message)}</div>'
        if (message)
        else ""
    )
    inputs = "".join(_field(f, values.get(f.name), problems.get(f.name)) for f in fields)
    body = (
        f"<h1>{escape(title)}</h1>{alert}"
        '<form method="post" novalidate>'
        f'<input type="hidden" name="{FIELD_NAME}" value="{escape(csrf_value)}">'
        f'{inputs}<button type="submit">{verb}</button></form>'
        f'<p class="note">Your credentials are checked with {escape(provider_label)} and '
        "stored encrypted. The application that sent you here never sees them.</p>"
    )
    return _document(title, body)


def message_page(title: str, text: str, *, success: bool = False) -> str:
    """A page with a heading and one message (link not valid, expired, linked, ...)."""
    kind = "alert ok" if success else "alert"
    role = "status" if success else "alert"
    body = f'<h1>{escape(title)}</h1><p class="{kind}" role="{role}">{escape(text)}</p>'
    return _document(title, body)
