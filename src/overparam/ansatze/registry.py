"""The ansatz registry: paper ansätze by name, and a user's own as ``package.module:function``.

A registered builder is called as ``builder(n, layers, **options)`` with options already parsed;
a user's function is called the same way with the raw string values of ``--opt key=value``.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from typing import Any, Callable, Mapping

import cirq

from overparam.ansatze import autoencoder, qaqc, tfim
from overparam.ansatze.base import Ansatz, from_circuit
from overparam.ansatze.entry import Entry, Option
from overparam.errors import BadInput


#: Every built-in ansatz, written out once.
_REGISTRY: dict[str, Entry] = {entry.name: entry for entry in (autoencoder.ENTRY, qaqc.ENTRY, tfim.ENTRY)}


def registered() -> list[Entry]:
    """The registered ansätze, sorted by name."""
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def parse_options(pairs: list[str] | None) -> dict[str, str]:
    """Turn repeated ``key=value`` strings into a dict, rejecting malformed ones."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BadInput(f"--opt {pair!r} is malformed; expected key=value")
        out[key.strip()] = value.strip()
    return out


def check_size(n: int, layers: int, min_n: int = 2, max_n: int | None = None) -> None:
    if not isinstance(n, int) or n < min_n:
        raise BadInput(f"--n {n} is not accepted; expected an integer >= {min_n}")
    if max_n is not None and n > max_n:
        raise BadInput(f"--n {n} is not accepted; expected an integer <= {max_n} for this ansatz")
    if not isinstance(layers, int) or layers < 1:
        raise BadInput(f"--layers {layers} is not accepted; expected an integer >= 1")


def build_ansatz(name: str, n: int, layers: int, options: Mapping[str, str] | None = None) -> Ansatz:
    """Build the ansatz ``name`` (registered, or ``package.module:function``) at size ``n``.

    Raises :class:`BadInput` for an unknown name, a bad size or an unknown/invalid option.
    """
    options = dict(options or {})
    if ":" in name:
        return _build_user(name, n, layers, options)
    entry = _REGISTRY.get(name)
    if entry is None:
        known = ", ".join(sorted(_REGISTRY))
        raise BadInput(f"unknown ansatz {name!r}; accepted: {known}, or package.module:function")
    check_size(n, layers, entry.min_n, entry.max_n)
    known_opts = {o.name: o for o in entry.options}
    parsed: dict[str, Any] = {o.name: o.default for o in entry.options}
    for key, raw in options.items():
        opt = known_opts.get(key)
        if opt is None:
            accepted = ", ".join(known_opts) or "none"
            raise BadInput(f"unknown option {key!r} for ansatz {name!r}; accepted options: {accepted}")
        if opt.choices is not None and raw not in opt.choices:
            raise BadInput(f"option {key}={raw!r} is not accepted; expected one of {', '.join(opt.choices)}")
        try:
            parsed[key] = opt.parse(raw)
        except (TypeError, ValueError) as err:
            raise BadInput(f"option {key}={raw!r} is not accepted; expected {opt.accepted}") from err
    return entry.builder(n, layers, **parsed)


def load_user_function(spec: str) -> Callable[..., Any]:
    """Import ``package.module:function`` from the Python path."""
    module_name, _, func_name = spec.partition(":")
    if not module_name or not func_name:
        raise BadInput(f"ansatz {spec!r} is malformed; expected package.module:function")
    try:
        module = importlib.import_module(module_name)
    except Exception as err:  # an import error of any kind is the user's module's problem
        raise BadInput(f"cannot import module {module_name!r} for ansatz {spec!r}: {err}") from err
    func = getattr(module, func_name, None)
    if func is None or not callable(func):
        raise BadInput(f"module {module_name!r} has no function {func_name!r} (ansatz {spec!r})")
    return func


def _build_user(spec: str, n: int, layers: int, options: dict[str, str]) -> Ansatz:
    func = load_user_function(spec)
    check_size(n, layers)
    sig = inspect.signature(func)
    has_var_kw = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
    for key in options:
        if not has_var_kw and key not in sig.parameters:
            accepted = ", ".join(p for p in sig.parameters if p not in ("n", "layers")) or "none"
            raise BadInput(f"unknown option {key!r} for ansatz {spec!r}; accepted options: {accepted}")
    try:
        result = func(n, layers, **options)
    except (TypeError, ValueError, KeyError) as err:
        raise BadInput(f"ansatz {spec!r} rejected options {options}: {err}") from err
    except BadInput:
        raise
    except Exception as err:  # the user's function failing is bad input, not a crash of ours
        raise BadInput(
            f"ansatz {spec!r} raised {type(err).__name__} when called with n={n}, layers={layers}: {err}"
        ) from err
    if isinstance(result, Ansatz):
        return dataclasses.replace(result, name=spec)
    if not isinstance(result, cirq.AbstractCircuit):
        raise BadInput(
            f"ansatz {spec!r} returned {type(result).__name__}; expected a parametrized cirq.Circuit "
            "or an overparam.ansatze.Ansatz"
        )
    n_qubits = len(result.all_qubits())
    if n_qubits != n:
        raise BadInput(
            f"ansatz {spec!r} built a circuit on {n_qubits} qubits for --n {n}; expected one on n qubits "
            "(return an overparam.ansatze.Ansatz to use another register)"
        )
    return from_circuit(spec, result, n=n, layers=layers, options=options)
