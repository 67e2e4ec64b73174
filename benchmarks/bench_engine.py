"""Value and gradient of the TFIM energy for a batch of initialisations (tfim-hva, open boundary).

Runs the project's engine and, when importable, TensorCircuit-NG (JAX, jit + vmap, one layer per
``lax.scan`` step) and qulacs (backprop, a loop over the batch) in the same process, checks that
all agree to 1e-10, and prints times and ratios. Also times the engine's QFIM at n = 10, M = 100.
Benchmark-only tools live in the optional extra ``bench``; install them in a separate venv.

    XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" OMP_NUM_THREADS=1 \
        PYTHONPATH=src python benchmarks/bench_engine.py [--columns 0,1,2] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from overparam.ansatze import build_ansatz  # noqa: E402
from overparam.sim.engine import build_engine  # noqa: E402

COLUMNS = [(6, 18, 50), (10, 50, 50), (14, 50, 10)]
G = 1.0


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - t)
    return min(times)


def ours(ansatz, values, repeat):
    t = time.perf_counter()
    engine = build_engine(ansatz)
    f = engine.jax_loss_and_grad()
    v = jnp.asarray(values)
    out = jax.block_until_ready(f(v))
    compile_s = time.perf_counter() - t
    return [np.asarray(o) for o in out], _best(lambda: f(v), repeat), compile_s


def tensorcircuit(ansatz, values, repeat):
    import tensorcircuit as tc

    tc.set_backend("jax")
    tc.set_dtype("complex128")
    n, p = ansatz.n, ansatz.layers
    e0 = ansatz.loss.offset

    def energy(params):
        c = tc.Circuit(n)
        for i in range(n):
            c.h(i)

        def layer(state, th):
            c = tc.Circuit(n, inputs=state)
            for i in range(n - 1):
                c.rzz(i, i + 1, theta=th[0])
            for i in range(n):
                c.rx(i, theta=th[1])
            return c.state(), None

        state, _ = jax.lax.scan(layer, c.state(), params.reshape(p, 2))
        c = tc.Circuit(n, inputs=state)
        e = sum(-c.expectation_ps(z=[i, i + 1]) for i in range(n - 1))
        e = e + sum(-G * c.expectation_ps(x=[i]) for i in range(n))
        return jnp.real(e) - e0

    f = jax.jit(jax.vmap(jax.value_and_grad(energy)))
    v = jnp.asarray(values)
    t = time.perf_counter()
    out = jax.block_until_ready(f(v))
    compile_s = time.perf_counter() - t
    return [np.asarray(o) for o in out], _best(lambda: f(v), repeat), compile_s


def qulacs_backprop(ansatz, values, repeat):
    from qulacs import Observable, ParametricQuantumCircuit, QuantumState

    n, p = ansatz.n, ansatz.layers
    obs = Observable(n)
    for i in range(n - 1):
        obs.add_operator(-1.0, f"Z {i} Z {i + 1}")
    for i in range(n):
        obs.add_operator(-G, f"X {i}")
    owner = []  # parameter index of each parametric gate (qulacs has no shared parameters)
    circuit = ParametricQuantumCircuit(n)
    from qulacs.gate import H

    for i in range(n):
        circuit.add_gate(H(i))
    for layer in range(p):
        for i in range(n - 1):
            circuit.add_parametric_multi_Pauli_rotation_gate([i, i + 1], [3, 3], 0.0)
            owner.append(2 * layer)
        for i in range(n):
            circuit.add_parametric_RX_gate(i, 0.0)
            owner.append(2 * layer + 1)
    owner = np.asarray(owner)

    def run():
        losses, grads = [], []
        for row in values:
            for k, j in enumerate(owner):
                # qulacs rotations are exp(+i a P / 2): a = -theta gives the ansatz's exp(-i theta P / 2).
                circuit.set_parameter(k, -row[j])
            state = QuantumState(n)
            circuit.update_quantum_state(state)
            losses.append(obs.get_expectation_value(state) - ansatz.loss.offset)
            g = -np.asarray(circuit.backprop(obs))
            grads.append(np.bincount(owner, weights=g, minlength=2 * p))
        return np.asarray(losses), np.asarray(grads)

    out = run()
    return list(out), _best(run, max(1, repeat // 2)), 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", default="0,1,2")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-qfim", action="store_true")
    args = parser.parse_args()
    tools = [("overparam", ours), ("tensorcircuit-ng", tensorcircuit), ("qulacs", qulacs_backprop)]
    for col in (int(c) for c in args.columns.split(",")):
        n, p, batch = COLUMNS[col]
        ansatz = build_ansatz("tfim-hva", n, p, {"boundary": "open"})
        values = ansatz.random_parameters(np.random.default_rng(col), batch)
        ref, times = None, {}
        for name, fn in tools:
            try:
                out, seconds, compile_s = fn(ansatz, values, args.repeat)
            except ImportError as err:
                print(f"n={n} p={p} B={batch} {name}: not installed ({err.name})")
                continue
            if ref is None:
                ref = out
            err = max(np.max(np.abs(out[0] - ref[0])), np.max(np.abs(out[1] - ref[1])))
            times[name] = seconds
            print(f"n={n} p={p} B={batch} {name:17s} {seconds * 1e3:10.2f} ms  compile {compile_s:6.2f} s  "
                  f"max |diff| vs overparam {err:.1e}", flush=True)
            if err > 1e-10:
                raise SystemExit(f"{name} disagrees with overparam by {err:.2e}")
        for name, seconds in times.items():
            if name != "overparam":
                print(f"  ratio {name} / overparam = {seconds / times['overparam']:.2f}")
    if not args.no_qfim:
        ansatz = build_ansatz("tfim-hva", 10, 50, {"boundary": "open"})
        engine = build_engine(ansatz)
        values = ansatz.random_parameters(np.random.default_rng(0))
        t = time.perf_counter()
        engine.qfim(values)
        compile_s = time.perf_counter() - t
        seconds = min(_timed(lambda: engine.qfim(values)) for _ in range(args.repeat))
        print(f"QFIM n=10 M=100 overparam {seconds * 1e3:.1f} ms (compile {compile_s:.1f} s)")


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
