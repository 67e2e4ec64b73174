"""What a circuit diagram needs, read off an ansatz's Cirq circuit (supp3).

Nothing here simulates: the layout is the circuit's own moment structure, each operation with its
qubit indices and the wire symbols Cirq's text diagrams use, so the drawing (in
:mod:`overparam.figures.supp3`, which never imports Cirq) shows the circuit exactly as defined.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import cirq

from overparam.ansatze.base import Ansatz

# Longer wire symbols are matrices or other dumps that would not fit a gate box.
_MAX_SYMBOL = 14


def gate_kind(op: cirq.Operation) -> str:
    """A short gate-type name used to count gates (``H``, ``Rx``, ``ZZ``, ``CZ``, ``CNOT``, ...)."""
    gate = op.gate
    for cls, name in ((cirq.Rx, "Rx"), (cirq.Ry, "Ry"), (cirq.Rz, "Rz")):
        if isinstance(gate, cls):
            return name
    pow_names = (
        (cirq.HPowGate, "H"), (cirq.XPowGate, "X"), (cirq.YPowGate, "Y"), (cirq.ZPowGate, "Z"),
        (cirq.CZPowGate, "CZ"), (cirq.CXPowGate, "CNOT"), (cirq.ZZPowGate, "ZZ"),
        (cirq.XXPowGate, "XX"), (cirq.YYPowGate, "YY"), (cirq.SwapPowGate, "SWAP"),
        (cirq.ISwapPowGate, "iSWAP"),
    )
    for cls, name in pow_names:
        if isinstance(gate, cls):
            # A fixed gate at a non-unit power is a different gate (sqrt(X), CZ^0.5, ...).
            if cirq.is_parameterized(gate) or gate.exponent == 1:
                return name
            return f"{name}^{gate.exponent:g}"
    if isinstance(gate, cirq.MatrixGate):
        return f"{cirq.num_qubits(gate)}-qubit unitary"
    if gate is None:
        return type(op).__name__
    return type(gate).__name__.removesuffix("Gate")


def _wire_symbols(op: cirq.Operation, kind: str) -> tuple[list[str], str | None]:
    info = cirq.circuit_diagram_info(op, default=None)
    if info is None:
        return [kind] * len(op.qubits), None
    symbols = []
    for s in info.wire_symbols:
        s = re.sub(r"\[\d+\]$", "", str(s))  # 'U*[1]' -> 'U*': the box spans the wires anyway
        symbols.append(kind if ("\n" in s or len(s) > _MAX_SYMBOL) else s)
    exponent = info.exponent
    if exponent is None or (not isinstance(exponent, str) and exponent == 1):
        return symbols, None
    if isinstance(exponent, (int, float)):
        return symbols, f"{exponent:g}"
    return symbols, str(exponent).replace("pi", "π")


def circuit_layout(ansatz: Ansatz) -> dict[str, Any]:
    """The circuit moment by moment: ``{"qubits": [...], "moments": [[op, ...], ...]}``.

    Each op is ``{"qubits": [indices], "symbols": [wire symbol per qubit], "exponent": str|None,
    "kind": str, "parametrized": bool}``; the qubit indices follow ``ansatz.qubits``.
    """
    index = {q: k for k, q in enumerate(ansatz.qubits)}
    moments = []
    for moment in ansatz.circuit:
        ops = []
        for op in moment:
            kind = gate_kind(op)
            symbols, exponent = _wire_symbols(op, kind)
            ops.append(
                {
                    "qubits": [index[q] for q in op.qubits],
                    "symbols": symbols,
                    "exponent": exponent,
                    "kind": kind,
                    "parametrized": bool(cirq.is_parameterized(op)),
                }
            )
        moments.append(ops)
    return {"qubits": [str(q) for q in ansatz.qubits], "moments": moments}


def gate_counts(circuit: cirq.AbstractCircuit) -> dict[str, int]:
    """Number of operations of each :func:`gate_kind`, sorted by kind."""
    counts: dict[str, int] = {}
    for op in circuit.all_operations():
        kind = gate_kind(op)
        counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items()))


def circuit_summary(ansatz: Ansatz) -> dict[str, Any]:
    """Sizes, gate counts, depth (number of moments), Cirq's text diagram and the layout."""
    ops = list(ansatz.circuit.all_operations())
    return {
        "ansatz": ansatz.name,
        "options": {k: str(v) for k, v in ansatz.options.items()},
        "n": ansatz.n,
        "layers": ansatz.layers,
        "n_qubits": ansatz.n_qubits,
        "n_params": ansatz.n_params,
        "n_ops": len(ops),
        "n_multi_qubit": sum(1 for op in ops if len(op.qubits) > 1),
        "n_parametrized": sum(1 for op in ops if cirq.is_parameterized(op)),
        "depth": len(ansatz.circuit),
        "gate_counts": gate_counts(ansatz.circuit),
        "text_diagram": ansatz.circuit.to_text_diagram(qubit_order=list(ansatz.qubits), transpose=False),
        "layout": circuit_layout(ansatz),
    }


# Small sizes at which each paper ansatz is drawn: (n, options) per panel. An ansatz registered
# later without an entry is drawn once at its smallest accepted size of at least 3 (default options).
SMALL_SIZES: Mapping[str, tuple[tuple[int, Mapping[str, str]], ...]] = {
    "tfim-hva": ((4, {"boundary": "periodic"}), (4, {"boundary": "open"})),
    "qaqc-hea": ((2, {}),),
    "autoencoder-hea": ((4, {}),),
}


def default_panels() -> list[tuple[str, int, dict[str, str]]]:
    """``(name, n, options)`` for every registered ansatz, in registry order."""
    from overparam.ansatze.registry import registered

    panels = []
    # The paper's ansätze first, in the paper's order, then any other registered one by name.
    entries = sorted(registered(), key=lambda e: (list(SMALL_SIZES).index(e.name) if e.name in SMALL_SIZES else len(SMALL_SIZES), e.name))
    for entry in entries:
        if entry.name in SMALL_SIZES:
            panels += [(entry.name, n, dict(opts)) for n, opts in SMALL_SIZES[entry.name]]
            continue
        n = max(entry.min_n, 3)
        if entry.max_n is not None:
            n = min(n, entry.max_n)
        panels.append((entry.name, n, {}))
    return panels
