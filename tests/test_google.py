"""The google backend on cirq_google's virtual processors (offline; the real engine is never called).

Shot-based numbers are compared with exact state-vector numbers within 5 standard deviations of
their own shot error; the parameter-shift formulas themselves are checked *exactly* by feeding
them exact expectation values at the same shifted points.
"""

from __future__ import annotations

import cirq
import numpy as np
import pytest
import sympy

from overparam.ansatze import Ansatz, ZeroProjectorLoss, build_ansatz, from_circuit
from overparam.errors import BadInput
from overparam.geometry.qfim import qfim
from overparam.geometry.shot_rank import shot_noise_rank
from overparam.hamiltonians import pauli_sum_sparse
from overparam.sim.derivatives import final_state, state_jacobian
from overparam.sim.google import BackendSpec, compile_for_device, lower_circuit, open_backend
from overparam.sim.google.backends import check_engine_access
from overparam.sim.google.compiler import MEASUREMENT_KEY, device_graph, require_qubits
from overparam.sim.google.estimators import (
    estimate_energy,
    estimate_gradient,
    estimate_loss,
    estimate_qfim,
    estimate_zero_probability,
    gradient_from_shifts,
    loss_program,
    qfim_design,
    qfim_program,
    shift_matrix,
)
from overparam.sim.google.lowering import check_lowering
from overparam.sim.google.placement import find_placement, interaction_graph

Z_TOL = 5.0


@pytest.fixture(scope="module")
def noiseless():
    return open_backend(BackendSpec(kind="virtual-noiseless", processor_id="rainbow"))


@pytest.fixture(scope="module")
def tfim4():
    return build_ansatz("tfim-hva", 4, 1, {"boundary": "periodic"})


def exact_energy(ansatz: Ansatz, x: np.ndarray) -> float:
    psi = final_state(ansatz, x, "cirq")
    return float(np.real(psi.conj() @ (pauli_sum_sparse(ansatz.loss.observable, ansatz.qubits) @ psi)))


def lowered_state(lowered, gate_values: np.ndarray) -> np.ndarray:
    resolved = cirq.resolve_parameters(lowered.circuit, lowered.resolver(gate_values))
    return cirq.final_state_vector(resolved, qubit_order=list(lowered.qubits), dtype=np.complex128)


# --- lowering, placement, compilation ------------------------------------------------------------


@pytest.mark.parametrize("boundary", ["periodic", "open"])
def test_lowering_reproduces_the_ansatz(boundary, rng):
    a = build_ansatz("tfim-hva", 4, 3, {"boundary": boundary})
    low = lower_circuit(a)
    # one symbol per gate: 4 (ring) or 3 (line) ZZ gates plus 4 RX per layer
    assert len(low.gates) == 3 * (8 if boundary == "periodic" else 7)
    assert all(abs(g.coefficient) == 0.5 for g in low.gates)
    for _ in range(3):
        assert check_lowering(a, low, a.random_parameters(rng)) < 1e-12
    # only single-qubit Z rotations carry symbols (what the devices accept)
    for op in low.circuit.all_operations():
        if cirq.is_parameterized(op):
            assert isinstance(op.gate, (cirq.ZPowGate, cirq.XPowGate)) and len(op.qubits) == 1


def test_placement_puts_the_ring_and_the_line_on_couplers(noiseless):
    qubits, edges = device_graph(noiseless.device)
    edge_set = {frozenset(e) for e in edges}
    for boundary, n in (("periodic", 4), ("periodic", 6), ("open", 8)):
        a = build_ansatz("tfim-hva", n, 1, {"boundary": boundary})
        graph = interaction_graph(a.circuit, a.qubits)
        place = find_placement(graph, edges, qubits, "rainbow")
        assert len(set(place.values())) == n
        assert all(frozenset((place[u], place[v])) in edge_set for u, v in graph.edges)
        assert place == find_placement(graph, edges, qubits, "rainbow")  # deterministic


def test_compiled_circuit_is_valid_and_computes_the_ansatz_state(noiseless, tfim4, rng):
    low = lower_circuit(tfim4)
    compiled = compile_for_device(low.circuit, low.qubits, low.gates, noiseless)
    noiseless.device.validate_circuit(compiled.circuit)  # raises if not
    assert compiled.gateset == type(noiseless.device.metadata.compilation_target_gatesets[0]).__name__
    assert all(isinstance(q, cirq.GridQubit) for q in compiled.qubits)
    # The compiled unitary (measurement dropped) prepares the ansatz state, bit-for-bit in order.
    unitary_part = cirq.Circuit(
        cirq.Moment(op for op in m if not cirq.is_measurement(op)) for m in compiled.circuit
    )
    x = tfim4.random_parameters(rng)
    resolved = cirq.resolve_parameters(unitary_part, compiled.resolvers(low.gate_values(x))[0])
    got = cirq.final_state_vector(resolved, qubit_order=list(compiled.qubits), dtype=np.complex128)
    assert abs(np.vdot(final_state(tfim4, x, "cirq"), got)) == pytest.approx(1.0, abs=1e-6)


# --- shot estimates on the virtual noiseless engine -------------------------------------------------


def test_energy_from_z_and_x_groups_matches_exact_within_shot_error(noiseless, tfim4, rng):
    program = loss_program(tfim4, noiseless)
    assert len(program.groups) == 2  # all-Z (bonds) and all-X (field) measurement bases
    for _ in range(2):
        x = tfim4.random_parameters(rng)
        est = estimate_energy(tfim4, x, noiseless, 4000)
        exact = exact_energy(tfim4, x)
        assert 0 < est.error < 0.1
        assert abs(est.value - exact) < Z_TOL * est.error, (est.value, exact, est.error)
        loss = estimate_loss(tfim4, x, noiseless, 4000, program)
        assert abs(loss.value - (exact - tfim4.loss.offset)) < Z_TOL * loss.error


def test_parameter_shift_rule_is_exact_on_exact_expectations(rng):
    a = build_ansatz("tfim-hva", 4, 2, {"boundary": "open"})
    low = lower_circuit(a)
    h = pauli_sum_sparse(a.loss.observable, a.qubits)
    x = a.random_parameters(rng)
    rows = shift_matrix(low.gates, low.gate_values(x))
    energies = np.array([np.real(np.vdot(s, h @ s)) for s in (lowered_state(low, r) for r in rows)])
    grad, _ = gradient_from_shifts(low.gates, a.n_params, energies, np.zeros_like(energies))
    psi, jac = state_jacobian(a, x, "cirq")
    exact = 2 * np.real(psi.conj() @ (h @ jac))
    np.testing.assert_allclose(grad, exact, atol=1e-9)


def test_parameter_shift_gradient_from_shots_matches_exact(noiseless, tfim4, rng):
    x = tfim4.random_parameters(rng)
    est = estimate_gradient(tfim4, x, noiseless, 3000)
    h = pauli_sum_sparse(tfim4.loss.observable, tfim4.qubits)
    psi, jac = state_jacobian(tfim4, x, "cirq")
    exact = 2 * np.real(psi.conj() @ (h @ jac))
    assert np.all(est.error > 0)
    assert np.all(np.abs(est.value - exact) < Z_TOL * est.error), (est.value, exact, est.error)


def test_qfim_shift_design_is_exact_on_exact_fidelities(rng):
    # two layers of shared symbols on a line of 3: same-symbol, cross-symbol and cross-layer pairs
    a = build_ansatz("tfim-hva", 3, 2, {"boundary": "open"})
    low = lower_circuit(a)
    x = a.random_parameters(rng)
    g = low.gate_values(x)
    points, design = qfim_design(low.gates, a.n_params, g)
    psi = lowered_state(low, g)
    fid = np.array([abs(np.vdot(lowered_state(low, p), psi)) ** 2 for p in points])
    np.testing.assert_allclose(design @ fid, qfim(a, x, "cirq"), atol=1e-8)


def test_qfim_from_shots_matches_exact_qfim(noiseless, tfim4, rng):
    x = tfim4.random_parameters(rng)
    est = estimate_qfim(tfim4, x, noiseless, 2000)
    exact = qfim(tfim4, x, "cirq")
    assert est.value.shape == exact.shape == (2, 2)
    assert np.all(est.error > 0)
    assert np.all(np.abs(est.value - exact) < Z_TOL * est.error), (est.value, exact, est.error)
    shot = shot_noise_rank(est.value, est.error)
    assert shot.tolerance == pytest.approx(3 * np.sqrt(np.sum(est.error**2)))
    # The shot rank is a lower bound, and counts every exact eigenvalue well above the cut.
    exact_eigs = np.linalg.eigvalsh(exact)
    assert np.count_nonzero(exact_eigs > 2 * shot.tolerance) <= shot.rank <= np.count_nonzero(exact_eigs > 1e-9)


def test_zero_projector_loss_from_the_all_zero_probability(noiseless, rng):
    q = cirq.LineQubit.range(2)
    s, t = sympy.symbols("s t")
    circuit = cirq.Circuit(cirq.ry(s).on(q[0]), cirq.CZ(*q), cirq.rx(t).on(q[1]))
    a = from_circuit("two-qubit", circuit, n=2, layers=1, loss=ZeroProjectorLoss(tuple(q)), qubits=q)
    x = rng.uniform(0, 2 * np.pi, 2)
    exact = 1 - abs(final_state(a, x, "cirq")[0]) ** 2
    est = estimate_loss(a, x, noiseless, 4000)
    assert abs(est.value - exact) < Z_TOL * est.error


# --- noisy virtual machine ---------------------------------------------------------------------------


def test_noisy_virtual_machine_loses_compute_uncompute_fidelity(noiseless, tfim4, rng):
    noisy = open_backend(BackendSpec(kind="virtual-noisy", processor_id="rainbow"))
    x = tfim4.random_parameters(rng)
    rows = {}
    for name, backend in (("noiseless", noiseless), ("noisy", noisy)):
        program = qfim_program(tfim4, backend)
        g = program.lowered.gate_values(x)
        rows[name] = estimate_zero_probability(backend, program.compiled, np.hstack([g, g])[None, :], 2000)
    assert rows["noiseless"].value[0] == 1.0  # U^dag U = 1 exactly without noise
    assert rows["noisy"].value[0] < 1 - Z_TOL * rows["noisy"].error[0]


# --- bad input: one-line BadInput before anything is submitted --------------------------------------


def _one_line(err: pytest.ExceptionInfo) -> str:
    msg = str(err.value)
    assert "\n" not in msg
    return msg


def test_too_many_qubits_for_the_device(noiseless):
    with pytest.raises(BadInput) as err:
        require_qubits(noiseless, 30)
    assert "30 qubits" in _one_line(err) and "rainbow" in str(err.value) and "n <= 23" in str(err.value)


def test_odd_ring_is_refused_on_a_grid(noiseless):
    a = build_ansatz("tfim-hva", 5, 1, {"boundary": "periodic"})
    low = lower_circuit(a)
    with pytest.raises(BadInput) as err:
        compile_for_device(low.circuit, low.qubits, low.gates, noiseless)
    assert "ring of 5" in _one_line(err)


def test_no_ring_of_that_length_on_a_line_of_qubits():
    device = cirq.LineQubit.range(10)
    ring = build_ansatz("tfim-hva", 6, 1, {"boundary": "periodic"})
    graph = interaction_graph(ring.circuit, ring.qubits)
    with pytest.raises(BadInput) as err:
        find_placement(graph, list(zip(device[:-1], device[1:])), device, "toy-line")
    assert "cannot hold a ring of 6 qubits" in _one_line(err)


def test_unknown_processor_and_backend_kind():
    with pytest.raises(BadInput) as err:
        open_backend(BackendSpec(kind="virtual-noiseless", processor_id="sycamore"))
    assert "'sycamore'" in _one_line(err) and "rainbow" in str(err.value)
    with pytest.raises(BadInput) as err:
        open_backend(BackendSpec(kind="virtual-noisless", processor_id="rainbow"))
    assert "virtual-noisless" in _one_line(err)


def test_engine_without_project_or_credentials_never_connects(monkeypatch, tmp_path):
    import cirq_google

    def no_network(*args, **kwargs):
        raise AssertionError("the real engine must not be contacted")

    monkeypatch.setattr(cirq_google, "get_engine", no_network)
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    with pytest.raises(BadInput) as err:
        open_backend(BackendSpec(kind="engine", processor_id="rainbow"))
    assert "project id" in _one_line(err)
    with pytest.raises(BadInput) as err:
        open_backend(BackendSpec(kind="engine", processor_id="rainbow", project_id="my-project"))
    assert "credentials" in _one_line(err) and "my-project" in str(err.value)
    # a credentials file named but missing is no credentials either
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    with pytest.raises(BadInput):
        check_engine_access(BackendSpec(kind="engine", project_id="my-project"))


def test_gate_without_a_single_pauli_generator_is_refused():
    q = cirq.LineQubit.range(2)
    s = sympy.Symbol("s")
    a = from_circuit("iswap", cirq.Circuit(cirq.ISwapPowGate(exponent=s).on(*q)), n=2, layers=1, qubits=q)
    with pytest.raises(BadInput) as err:
        lower_circuit(a)
    assert "single Pauli string" in _one_line(err)


def test_cli_reports_bad_input_in_one_line(capsys, monkeypatch, tmp_path):
    from overparam.cli import main

    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    cases = [
        (["--n", "4", "--processor", "sycamore"], "sycamore"),
        (["--n", "30"], "30 qubits"),
        (["--n", "5"], "ring of 5"),
        (["--n", "4", "--backend", "engine"], "project id"),
    ]
    for extra, needle in cases:
        assert main(["hardware-qfim", "tfim-hva", "--layers", "1", *extra]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and needle in err[0], err


def test_measurement_key_holds_every_placed_qubit(noiseless, tfim4):
    low = lower_circuit(tfim4)
    compiled = compile_for_device(low.circuit, low.qubits, low.gates, noiseless)
    (measure,) = [op for op in compiled.circuit.all_operations() if cirq.is_measurement(op)]
    assert cirq.measurement_key_name(measure) == MEASUREMENT_KEY
    assert tuple(measure.qubits) == compiled.qubits
