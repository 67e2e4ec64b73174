"""The state-vector engine's Hessian beside JAX forward-over-adjoint and TensorCircuit-NG, in one process.

Workload: the exact Hessian of the TFIM residual energy ``E(theta) - E0`` of the ``tfim-hva`` ansatz
(open boundary, g = 1) at one random point, float64, one thread: what the failure classification
and the Hessian-rank figures compute at every point. Three tools:

* ``engine``: :meth:`Engine.hessian`, one forward pass carrying the Jacobian and the cotangent
  pulled back to the input (:func:`overparam.sim.engine.run.second_order`);
* ``fwd-over-adjoint``: :meth:`Engine.hessian_reference`, JAX forward mode over the engine's own
  adjoint gradient (the route it replaced);
* ``tc-circuit``: ``jax.hessian`` (forward over reverse) of TensorCircuit-NG's ``tc.Circuit`` energy,
  written layer by layer as in ``bench_tcng.py`` (:func:`bench_tcng.tc_circuit_energy`).

Each tool is compiled and checked against the engine to 1e-9 relative before timing; then the
tools are timed round-robin (best of ``--repeat``, wall and CPU seconds) and each ratio is printed
as ``tool / engine``.

    python benchmarks/bench_hessian.py --cases 10x20,12x30 [--repeat 3] [--json-out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tcng import _load, _require_tensorcircuit, round_robin, tc_circuit_energy  # noqa: E402

from overparam.ansatze.registry import build_ansatz  # noqa: E402
from overparam.sim.engine import build_engine  # noqa: E402

TOLERANCE = 1e-9
DESCRIPTION = ("Exact Hessian of the TFIM residual energy of tfim-hva (open boundary, g = 1) at one random point, "
               "float64, one thread; each tool checked against the engine to 1e-9 relative, then timed "
               "round-robin (best of --repeat).")


def _case(text: str) -> tuple[int, int]:
    try:
        n, layers = (int(v) for v in text.split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"case {text!r} is not NxL (qubits x layers), e.g. 10x10") from None
    if n < 2 or layers < 1:
        raise argparse.ArgumentTypeError(f"case {text!r} needs n >= 2 qubits and L >= 1 layers")
    return n, layers


def run_case(n: int, layers: int, repeat: int) -> dict:
    ansatz = build_ansatz("tfim-hva", n, layers, {"boundary": "open"})
    values = ansatz.random_parameters(np.random.default_rng(0))
    engine = build_engine(ansatz)
    tc_hessian = jax.jit(jax.hessian(tc_circuit_energy(ansatz)))
    v = jnp.asarray(values)
    fns = {"engine": lambda: engine.hessian(values), "fwd-over-adjoint": lambda: engine.hessian_reference(values),
           "tc-circuit": lambda: tc_hessian(v)}
    jit_s, out = {}, {}
    for name, fn in fns.items():
        t = time.perf_counter()
        out[name] = np.asarray(jax.block_until_ready(fn()))
        jit_s[name] = time.perf_counter() - t
    scale = float(np.max(np.abs(out["engine"])))
    errors = {name: float(np.max(np.abs(h - out["engine"]))) / scale for name, h in out.items() if name != "engine"}
    bad = {k: e for k, e in errors.items() if e > TOLERANCE}
    if bad:
        raise RuntimeError(f"Hessians disagree with the engine's beyond {TOLERANCE:g} relative: {bad}")
    wall, cpu = round_robin(fns, repeat)
    return {"n": n, "layers": layers, "n_params": ansatz.n_params, "wall_s": wall, "cpu_s": cpu,
            "first_call_s": jit_s, "relative_error": errors, "load": _load(),
            "ratio_cpu": {k: cpu[k] / cpu["engine"] for k in cpu if k != "engine"}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="10x20,12x30", help="comma-separated NxL (qubits x layers)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json-out", help="write the measured numbers to this JSON file")
    args = parser.parse_args(argv)
    try:
        cases = [_case(c) for c in args.cases.split(",")]
    except argparse.ArgumentTypeError as exc:
        parser.exit(2, f"bench_hessian.py: {exc}\n")
    if args.repeat < 1:
        parser.exit(2, f"bench_hessian.py: --repeat {args.repeat} must be at least 1\n")
    version = _require_tensorcircuit()
    given = sys.argv[1:] if argv is None else argv
    report = {"benchmark": DESCRIPTION, "command": " ".join(["python benchmarks/bench_hessian.py", *given]),
              "tensorcircuit": version, "cases": []}
    for n, layers in cases:
        rec = run_case(n, layers, args.repeat)
        report["cases"].append(rec)
        print(f"n={n} L={layers} M={rec['n_params']}: engine {rec['cpu_s']['engine']:.3f} CPU-s; "
              + ", ".join(f"{k} / engine = {r:.1f}x" for k, r in rec["ratio_cpu"].items())
              + f" (load {rec['load']})", flush=True)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
