"""supp3: the paper's ansätze drawn as circuit diagrams from the layouts in their table.

The layout (moments, qubits, Cirq's wire symbols) comes from ``results/tables/supp3.csv``; this
module only draws: a box per gate, a filled dot for a control (``@``), a circled plus for a
controlled X, one tall box for a gate on adjacent wires that shows one label, and boxes joined
by a line for a multi-qubit gate on non-adjacent wires. Alternate moments have a light background,
so the depth column of the table can be read off the drawing.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyBboxPatch, Rectangle

from overparam.figures.style import save, setup
from overparam.results.tables import read_csv

# Width of one label character in wire spacings: a monospace glyph at 7 pt is 0.6 em = 4.2 pt wide,
# and one wire spacing is drawn 0.34 in (24.5 pt) tall, so 0.17 plus a little air.
CHAR_W = 0.18
BOX_H = 0.56
PAD = 0.12
PARAM_FILL = "#DCEBF7"  # light tint of the palette's blue (#0072B2) for parametrized gates


def _label(op: dict, wire: int) -> str:
    sym = op["symbols"][wire]
    if op["exponent"] and wire == len(op["symbols"]) - 1:
        return f"{sym}^({op['exponent']})"
    return sym


def _is_tall(op: dict) -> bool:
    # One box over adjacent wires when every wire shows the same symbol (ZZ, iSwap, a named unitary).
    qs = sorted(op["qubits"])
    return len(qs) > 1 and qs == list(range(qs[0], qs[-1] + 1)) and len(set(op["symbols"])) == 1 and op["symbols"][0] != "@"


def _op_width(op: dict) -> float:
    if _is_tall(op):
        text = op["symbols"][0] + (f"^({op['exponent']})" if op["exponent"] else "")
        return CHAR_W * len(text) + 2 * PAD
    widths = [CHAR_W * len(_label(op, w)) + 2 * PAD for w, s in enumerate(op["symbols"]) if s not in ("@", "X") or len(op["symbols"]) == 1]
    return max(widths + [0.5])


def _columns(moment: list[dict]) -> list[list[dict]]:
    """Split a moment into sub-columns whose ops' vertical spans do not overlap (as Cirq does)."""
    cols: list[tuple[list[dict], list[tuple[int, int]]]] = []
    for op in moment:
        span = (min(op["qubits"]), max(op["qubits"]))
        for ops, spans in cols:
            if all(span[1] < lo or span[0] > hi for lo, hi in spans):
                ops.append(op)
                spans.append(span)
                break
        else:
            cols.append(([op], [span]))
    return [ops for ops, _ in cols]


def _draw_op(ax: plt.Axes, op: dict, x: float, width: float) -> None:
    fill = PARAM_FILL if op["parametrized"] else "white"
    qs = op["qubits"]
    if _is_tall(op):
        lo, hi = min(qs), max(qs)
        ax.add_patch(FancyBboxPatch((x - width / 2, lo - BOX_H / 2), width, hi - lo + BOX_H,
                                    boxstyle="round,pad=0,rounding_size=0.06", fc=fill, ec="black", lw=0.8, zorder=3))
        text = op["symbols"][0] + (f"^({op['exponent']})" if op["exponent"] else "")
        ax.text(x, (lo + hi) / 2, text, ha="center", va="center", fontsize=7, family="DejaVu Sans Mono", zorder=4)
        return
    if len(qs) > 1:
        ax.plot([x, x], [min(qs), max(qs)], color="black", lw=0.9, zorder=2)
    controlled = "@" in op["symbols"]
    for w, q in enumerate(qs):
        sym = op["symbols"][w]
        if sym == "@" and len(qs) > 1:
            ax.add_patch(Circle((x, q), 0.09, color="black", zorder=4))
        elif sym == "X" and controlled:
            ax.add_patch(Circle((x, q), 0.17, fc="white", ec="black", lw=0.9, zorder=4))
            ax.plot([x - 0.17, x + 0.17], [q, q], color="black", lw=0.9, zorder=5)
            ax.plot([x, x], [q - 0.17, q + 0.17], color="black", lw=0.9, zorder=5)
        else:
            text = _label(op, w)
            bw = CHAR_W * len(text) + 2 * PAD
            ax.add_patch(FancyBboxPatch((x - bw / 2, q - BOX_H / 2), bw, BOX_H,
                                        boxstyle="round,pad=0,rounding_size=0.06", fc=fill, ec="black", lw=0.8, zorder=3))
            ax.text(x, q, text, ha="center", va="center", fontsize=7, family="DejaVu Sans Mono", zorder=4)


def layout_width(layout: dict) -> float:
    """Width of a drawn circuit in wire spacings (for sizing the figure)."""
    total = 0.0
    for moment in layout["moments"]:
        for col in _columns(moment):
            total += max(_op_width(op) for op in col) + 0.25
    return total + 1.0


def draw_layout(ax: plt.Axes, layout: dict, title: str) -> float:
    """Draw one circuit on ``ax`` (qubit 0 on top); returns the drawing's width."""
    n = len(layout["qubits"])
    x = 0.6
    for m, moment in enumerate(layout["moments"]):
        start = x
        for col in _columns(moment):
            width = max(_op_width(op) for op in col)
            centre = x + width / 2
            for op in col:
                _draw_op(ax, op, centre, width)
            x += width + 0.25
        if m % 2 == 1:
            ax.add_patch(Rectangle((start - 0.12, -0.6), x - start - 0.01, n + 0.2, color="0.93", lw=0, zorder=0))
    for q, name in enumerate(layout["qubits"]):
        ax.plot([0.3, x], [q, q], color="black", lw=0.8, zorder=1)
        ax.text(0.2, q, f"q{q}", ha="right", va="center", fontsize=7)
    ax.set_xlim(-0.5, x + 0.2)
    ax.set_ylim(n - 0.3, -0.9)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, loc="left", fontsize=8.5, pad=2)
    return x


def draw(table: str | Path, out_stem: str | Path, bounds: dict | None = None) -> list[Path]:
    """One row per circuit of the table, all on the same scale (``bounds`` is unused here)."""
    setup()
    rows = read_csv(table)
    layouts = [json.loads(r["layout"]) for r in rows]
    widths = [layout_width(l) for l in layouts]
    heights = [len(l["qubits"]) + 1.2 for l in layouts]
    scale = 0.34  # inches per wire spacing
    fig_w = max(widths) * scale + 0.4
    fig, axes = plt.subplots(
        len(rows), 1, figsize=(fig_w, sum(heights) * scale + 0.3), squeeze=False,
        gridspec_kw={"height_ratios": heights},
    )
    for ax, row, layout, width in zip(axes[:, 0], rows, layouts, widths):
        title = (f"{row['ansatz']} ({row['options'] or 'default options'}), n = {row['n']}, "
                 f"{row['layers']} layers: {row['n_qubits']} qubits, M = {row['n_params']}, depth {row['depth']}")
        draw_layout(ax, layout, title)
        ax.set_xlim(-0.5, max(widths) + 0.2)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.98, bottom=0.01, hspace=0.25)
    handles = [Rectangle((0, 0), 1, 1, fc=PARAM_FILL, ec="black", lw=0.8), Rectangle((0, 0), 1, 1, fc="white", ec="black", lw=0.8)]
    fig.legend(handles, ["parametrized gate", "fixed gate"], loc="lower right", frameon=False, fontsize=7, ncol=2)
    return save(fig, out_stem)
