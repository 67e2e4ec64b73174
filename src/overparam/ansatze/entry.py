"""What the registry knows of an ansatz: its builder, options and size limits (a leaf module)."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from overparam.ansatze.base import Ansatz


@dataclasses.dataclass(frozen=True)
class Option:
    """One ansatz option: its default, how a string becomes a value, and what is accepted."""

    name: str
    default: Any
    parse: Callable[[str], Any]
    accepted: str
    choices: tuple[str, ...] | None = None


@dataclasses.dataclass(frozen=True)
class Entry:
    """A registered ansatz: ``builder(n, layers, **options)`` with options already parsed."""

    name: str
    description: str
    builder: Callable[..., Ansatz]
    options: tuple[Option, ...] = ()
    min_n: int = 2
    max_n: int | None = None
