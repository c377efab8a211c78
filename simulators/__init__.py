"""Stateful fakes of the providers Unimap maps, for tests, demos and `unimap sandbox`.

Kept outside the `engine` package: the engine never imports a simulator. Each provider has a
package `simulators.<provider>`; `simulators.core` holds what they share (request/response
types, in-process httpx transport, fault injection, fake clock, the loopback HTTP server).
"""

from __future__ import annotations

SANDBOX_PROVIDERS: dict[str, str] = {
    "brevo": "simulators.brevo.sandbox",
    "kit": "simulators.kit.sandbox",
    "mailchimp": "simulators.mailchimp.sandbox",
    "mailerlite": "simulators.mailerlite.sandbox",
}
"""Provider name → module with `build(args)` and `DEFAULT_TOKEN`, for `unimap sandbox`."""
