"""Who a permission decision is about, as the policies see them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class Actor(Protocol):
    """The signed-in person (kind ``user``), integrator's API client (``client``) or the
    system itself (``system``). ``resolvers.core.context.Actor`` is the implementation."""

    @property
    def kind(self) -> str: ...

    @property
    def id(self) -> int: ...

    @property
    def organisation_id(self) -> int: ...

    @property
    def region_code(self) -> str: ...

    @property
    def roles(self) -> frozenset[str]: ...

    @property
    def scopes(self) -> frozenset[str]: ...

    @property
    def region_prefix(self) -> str: ...

    @property
    def home_roles(self) -> frozenset[str] | None: ...

    @property
    def grants(self) -> tuple[tuple[str, str], ...]: ...

    def region_prefixes(self, roles: Iterable[str] | None = None) -> tuple[str, ...]: ...

    @property
    def read_only(self) -> bool: ...
