"""How a client is made: `Client.orq()`, `Client.overmind()`, `Client.sandbox()`, `Client.default()` and
`Client.current_or_default()`.

They are written here, beside the services' client classes and the sandbox's starter they need, and bound
onto `Client` when the package loads (`bind`, called by client/__init__.py): the base class (base.py) knows
none of its subclasses, and no module imports another that imports it back.
"""

from __future__ import annotations

import os
from typing import Any, Literal, overload

from . import checks
from .base import Client, Service
from .orq import OrqClient
from .overmind import OvermindClient


def orq(api_key: str | None = None, base_url: str | None = None, **options: Any) -> OrqClient:
    """orq.ai: key from ORQ_API_KEY, URL from ORQ_BASE_URL (default https://api.orq.ai)."""
    return OrqClient(api_key, base_url, **options)


def overmind(api_key: str | None = None, base_url: str | None = None, **options: Any) -> OvermindClient:
    """Overmind: key from OVERMIND_API_KEY, URL from OVERMIND_API_URL (default https://api.overmindlab.ai)."""
    return OvermindClient(api_key, base_url, **options)


def sandbox(flavour: Service = "orq", **options: Any) -> Client:
    """A client bound to the local sandbox, started in the background on first use.

    When NBWIDGETS_SANDBOX_URL is set (a sandbox started elsewhere, e.g. by the demo command), that
    one is used with NBWIDGETS_SANDBOX_KEY.
    """
    checks.choice("flavour", flavour, ("orq", "overmind"))
    url = os.environ.get("NBWIDGETS_SANDBOX_URL")
    key = checks.api_key(os.environ.get("NBWIDGETS_SANDBOX_KEY", ""), "the environment variable NBWIDGETS_SANDBOX_KEY")
    if not url:
        from ..sandbox import embedded  # the sandbox's server is imported only when one is started here

        url, key = embedded()
    factory = orq if flavour == "orq" else overmind
    return factory(key, url, sandbox=True, **options)


@overload
def default(flavour: Literal["orq"] = ...) -> OrqClient: ...
@overload
def default(flavour: Literal["overmind"]) -> OvermindClient: ...
@overload
def default(flavour: Service) -> Client: ...
def default(flavour: Service = "orq") -> Client:
    """What a widget uses when given no client: the service whose key is configured, else the sandbox."""
    checks.choice("flavour", flavour, ("orq", "overmind"))
    if flavour == "orq" and os.environ.get("ORQ_API_KEY"):
        return orq()
    if flavour == "overmind" and os.environ.get("OVERMIND_API_KEY"):
        return overmind()
    return sandbox(flavour)


@overload
def current_or_default(flavour: Literal["orq"] = ...) -> OrqClient: ...
@overload
def current_or_default(flavour: Literal["overmind"]) -> OvermindClient: ...
@overload
def current_or_default(flavour: Service) -> Client: ...
def current_or_default(flavour: Service = "orq") -> Client:
    """What a widget given no client uses: the current client if it speaks that service, else
    `Client.default(flavour)` (which then becomes the current one)."""
    return Client.current(flavour) or default(flavour)


def bind(cls: type[Client] = Client) -> None:
    """Make the factories `Client`'s static methods (`Client.orq()` etc., as the README spells them)."""
    for factory in (orq, overmind, sandbox, default, current_or_default):
        setattr(cls, factory.__name__, staticmethod(factory))
