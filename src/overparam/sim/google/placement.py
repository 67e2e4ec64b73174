"""Place logical qubits on a device: the circuit's interaction graph embedded in the qubit grid.

The interaction graph of the tfim-hva is a line (open boundary) or a ring (periodic); it must be
embedded in the device's coupling graph so that every two-qubit gate lands on a real coupler (no
routing, no SWAPs: those would change the circuit the experiment is about). The search is a
subgraph monomorphism (VF2): every logical edge must be a device edge, extra device edges are fine.
Grids are bipartite, so a ring of odd length can never be embedded; that case is refused at once.
The search is a small deterministic backtracking (device qubits in sorted order), so the same
device always gives the same placement.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import cirq
import networkx as nx

from overparam.errors import BadInput

# Backtracking steps before giving up: lines and rings are embedded in a grid within a few hundred
# steps; the cap only bounds the time spent proving that a large pattern does not fit.
MAX_SEARCH_STEPS = 200_000


def interaction_graph(circuit: cirq.AbstractCircuit, qubits: Sequence[cirq.Qid]) -> nx.Graph:
    """Logical qubits as nodes, an edge for every pair touched by a two-qubit operation."""
    graph = nx.Graph()
    graph.add_nodes_from(qubits)
    for op in circuit.all_operations():
        if len(op.qubits) > 2:
            raise BadInput(
                f"operation {op} acts on {len(op.qubits)} qubits; the google backend places circuits "
                "of one- and two-qubit gates (decompose the ansatz first)"
            )
        if len(op.qubits) == 2:
            graph.add_edge(*op.qubits)
    return graph


def _describe(graph: nx.Graph) -> str:
    n = graph.number_of_nodes()
    if graph.number_of_edges() == n and n > 2 and all(d == 2 for _, d in graph.degree()):
        return f"a ring of {n} qubits"
    if nx.is_connected(graph) and graph.number_of_edges() == n - 1 and max(d for _, d in graph.degree()) <= 2:
        return f"a line of {n} qubits"
    return f"{n} qubits with {graph.number_of_edges()} couplings"


def _bipartite_obstruction(logical: nx.Graph, device: nx.Graph) -> bool:
    return nx.is_bipartite(device) and not nx.is_bipartite(logical)


def find_placement(
    logical: nx.Graph, device_edges: Iterable[tuple[cirq.Qid, cirq.Qid]], device_qubits: Iterable[cirq.Qid], processor: str
) -> dict[cirq.Qid, cirq.Qid]:
    """A map logical qubit -> device qubit such that every logical coupling is a device coupling.

    Deterministic: device qubits are tried in sorted order, so the same device gives the same
    placement. Raises BadInput naming the pattern and the processor when none exists.
    """
    device = nx.Graph()
    device.add_nodes_from(sorted(device_qubits))
    device.add_edges_from(device_edges)
    need = logical.number_of_nodes()
    have = device.number_of_nodes()
    what = _describe(logical)
    if need > have:
        raise BadInput(f"the circuit needs {need} qubits but processor {processor!r} has {have}; use n <= {have}")
    if _bipartite_obstruction(logical, device):
        raise BadInput(
            f"the circuit needs {what}, which processor {processor!r} cannot hold: its qubit grid has "
            "no odd cycles (use an even n, or boundary=open)"
        )
    mapping = _embed(logical, device, MAX_SEARCH_STEPS, what, processor)
    if mapping is None:
        raise BadInput(
            f"processor {processor!r} cannot hold {what}: no such arrangement among its {have} qubits "
            "and couplings (use fewer qubits, or boundary=open)"
        )
    return mapping


def _embed(
    logical: nx.Graph, device: nx.Graph, budget: int, what: str, processor: str
) -> dict[cirq.Qid, cirq.Qid] | None:
    """Backtracking subgraph embedding; logical nodes in BFS order so each new one has a placed
    neighbour (its candidates are then the free device neighbours of that neighbour's image)."""
    order: list[cirq.Qid] = []
    for component in sorted(nx.connected_components(logical), key=lambda c: sorted(c)[0]):
        root = sorted(component)[0]
        order.extend(nx.bfs_tree(logical, root).nodes)
    placed: dict[cirq.Qid, cirq.Qid] = {}
    used: set[cirq.Qid] = set()
    steps = 0

    def candidates(node: cirq.Qid) -> list[cirq.Qid]:
        anchors = [placed[m] for m in logical.neighbors(node) if m in placed]
        pool = set(device.neighbors(anchors[0])) if anchors else set(device.nodes)
        for a in anchors[1:]:
            pool &= set(device.neighbors(a))
        return sorted(q for q in pool - used if device.degree(q) >= logical.degree(node))

    def place(k: int) -> bool:
        nonlocal steps
        if k == len(order):
            return True
        node = order[k]
        for q in candidates(node):
            steps += 1
            if steps > budget:
                raise BadInput(
                    f"gave up searching processor {processor!r} for {what} after {budget} steps; "
                    "use fewer qubits"
                )
            placed[node] = q
            used.add(q)
            if place(k + 1):
                return True
            del placed[node]
            used.discard(q)
        return False

    return dict(placed) if place(0) else None
