"""TensorCircuit-NG beside the project's engines: value and gradient of the TFIM residual energy.

The workload is the one of ``bench_fermion.py``: ``E(theta) - E0`` of the ``tfim-hva`` ansatz (open
boundary, g = 1, ``H = -sum Z_i Z_{i+1} - g sum X_i``), its gradient, for a batch of ``B``
initialisations, float64, one thread. Four tools run in the same process:

* ``fermion``: the project's free-fermion engine (``build_fermion_engine``);
* ``statevector``: the project's state-vector engine (``build_engine``), up to n = 14;
* ``tc-circuit``: TensorCircuit-NG's state-vector ``tc.Circuit`` on JAX, one layer per ``lax.scan``
  step, ``jax.jit(jax.vmap(jax.value_and_grad(.)))``, up to n = 14;
* ``tc-fgs``: TensorCircuit-NG's fermionic Gaussian state simulator ``tc.FGSSimulator`` on JAX (same
  jit/vmap/value_and_grad, one layer per ``lax.scan`` step), at every n.

The circuits are written here layer by layer, not imported from the project's Cirq circuit:
``tc.Circuit.from_cirq`` translates resolved gates only. On the ansatz's parametrised circuit it
skips every ``ZZPowGate(exponent=zz_l/pi)`` with a warning (its fallback ``cirq.unitary`` fails on a
symbol) and stops with ``TypeError`` at the first symbolic ``rx`` (``np.isclose`` on a sympy
expression); a circuit resolved at fixed angles imports as constant gates, which carry no gradient
with respect to the shared angles. So each tool's loss and gradient are checked against the
fermion engine (and the state-vector engine) to 1e-10 at the benchmark's own random parameters
before anything is timed; :func:`check_agreement` is that check.

``tc.FGSSimulator`` can compute this energy differentiably, but only once the model is written in
fermions by hand: it takes quadratic fermion terms (hopping, pairing, chemical potential), not a
spin circuit or a Pauli Hamiltonian, and has no Jordan-Wigner compiler for either. In the
Hadamard-rotated frame (``X <-> Z``) the input ``|+>^n`` is the fermion vacuum, ``RX(t) =
exp(-i t Z / 2)`` becomes ``exp(i t n_i)`` (``evol_cp(i, -2 t)``, up to a global phase), and
``exp(-i t X_i X_{i+1} / 2)`` becomes a hopping plus a pairing term on the bond, which commute
(``evol_hp(i, i+1, t)``, ``evol_sp(i, i+1, t)``); the energy is read from the correlation matrix
``C = <(c, c^dag)(c^dag, c)>``. Open boundary only: the periodic bond ``Z_n Z_1`` carries the parity
string, which FGSSimulator has no term for.

Importing ``tensorcircuit`` switches JAX's float64 off for the whole process (its default dtype is
complex64); :func:`import_tensorcircuit` sets complex128, which switches it on again, before any
engine is jitted.

Timing: every tool is compiled and checked first, then timed round-robin (one call each per round,
best of ``--repeat``), recording wall and CPU seconds (``time.process_time``: on a machine whose load
exceeds its cores the wall time measures the other jobs too). Each ratio is printed as
``tool / fermion`` (and ``tc-circuit / statevector``); the machine's load average is recorded.

    OVERPARAM_THREADS=1 XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" OMP_NUM_THREADS=1 \
        PYTHONPATH=src python benchmarks/bench_tcng.py [--cases n10,n12,n14,n20,n50] [--repeat 5] \
        [--json-out PATH]

Needs the optional extra ``bench`` (``pip install tensorcircuit-ng``); exits with status 2 and one
line naming the package when it is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from typing import Callable

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from overparam.ansatze import build_ansatz  # noqa: E402
from overparam.ansatze.base import Ansatz  # noqa: E402
from overparam.sim.engine import build_engine  # noqa: E402
from overparam.sim.fermion import build_fermion_engine  # noqa: E402

# name -> (n, layers, batch, state-vector tools too)
CASES = {
    "n10": (10, 50, 50, True),
    "n12": (12, 50, 50, True),
    "n14": (14, 50, 50, True),
    "n20": (20, 200, 50, False),
    "n50": (50, 2500, 10, False),
}
TOLERANCE = 1e-10
G = 1.0

LIMITS = [
    "tc.Circuit.from_cirq cannot import the ansatz's parametrised Cirq circuit: it skips each symbolic "
    "ZZPowGate with a warning (cirq.unitary fails on a symbol) and raises TypeError at the first symbolic rx; "
    "a resolved circuit imports as constant gates without gradients. The layers are written in TensorCircuit "
    "and checked against the project's engines to 1e-10 before timing.",
    "tc.FGSSimulator computes the energy and its gradient (JAX), but takes quadratic fermion terms only: the "
    "spin circuit and the Pauli Hamiltonian are mapped to fermions by hand (Jordan-Wigner in the "
    "Hadamard-rotated frame); it has no term for the periodic boundary's parity string (open boundary only).",
    "import tensorcircuit sets its default dtype complex64, which turns JAX's jax_enable_x64 off process-wide; "
    "the benchmark calls tc.set_dtype('complex128') (which turns it back on) before jitting any engine.",
]

Call = Callable[[], tuple]


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _timed(fn: Call) -> tuple[float, float]:
    """Wall and CPU seconds of one call (CPU: this process; one thread here)."""
    t, c = time.perf_counter(), time.process_time()
    jax.block_until_ready(fn())
    return time.perf_counter() - t, time.process_time() - c


def round_robin(fns: dict[str, Call], repeat: int) -> tuple[dict[str, float], dict[str, float]]:
    """Best wall and best CPU seconds of each callable, timing them in turn for ``repeat`` rounds."""
    wall = {name: float("inf") for name in fns}
    cpu = dict(wall)
    for _ in range(repeat):
        for name, fn in fns.items():
            w, c = _timed(fn)
            wall[name], cpu[name] = min(wall[name], w), min(cpu[name], c)
    return wall, cpu


def _check_layout(ansatz: Ansatz) -> None:
    """The layer code below reads parameter ``2l`` as layer ``l``'s ZZ angle and ``2l + 1`` as its X angle."""
    want = [name for layer in range(ansatz.layers) for name in (f"zz_{layer}", f"x_{layer}")]
    got = [str(s) for s in ansatz.symbols]
    if got != want or ansatz.options.get("boundary") != "open" or float(ansatz.options.get("g")) != G:
        raise ValueError(f"bench_tcng expects tfim-hva (open, g = {G}) with symbols zz_l, x_l; got {got[:4]}...")


def tc_circuit_energy(ansatz: Ansatz) -> Callable[[jnp.ndarray], jnp.ndarray]:
    """``theta (M,) -> E(theta) - E0`` with TensorCircuit-NG's state-vector ``tc.Circuit`` (JAX)."""
    tc = import_tensorcircuit()
    _check_layout(ansatz)
    n, p, e0 = ansatz.n, ansatz.layers, ansatz.loss.offset

    def layer(state, angles):
        c = tc.Circuit(n, inputs=state)
        for i in range(n - 1):
            c.rzz(i, i + 1, theta=angles[0])  # exp(-i theta Z Z / 2), as the ansatz's ZZPowGate
        for i in range(n):
            c.rx(i, theta=angles[1])
        return c.state(), None

    def energy(theta):
        c = tc.Circuit(n)
        for i in range(n):
            c.h(i)
        state, _ = jax.lax.scan(layer, c.state(), theta.reshape(p, 2))
        c = tc.Circuit(n, inputs=state)
        e = -sum(c.expectation_ps(z=[i, i + 1]) for i in range(n - 1))
        e = e - G * sum(c.expectation_ps(x=[i]) for i in range(n))
        return jnp.real(e) - e0

    return energy


def tc_fgs_energy(ansatz: Ansatz) -> Callable[[jnp.ndarray], jnp.ndarray]:
    """``theta (M,) -> E(theta) - E0`` with TensorCircuit-NG's ``tc.FGSSimulator`` (JAX).

    Jordan-Wigner in the Hadamard-rotated frame: ``|+>^n`` is the vacuum, ``Z_i -> 1 - 2 n_i`` and
    ``X_i X_{i+1} -> (c_i^dag c_{i+1} + h.c.) + (c_i^dag c_{i+1}^dag + h.c.)`` (the two commute).
    FGSSimulator's ``evol_*(chi)`` apply ``exp(-i chi h / 2)`` to the term ``h``.
    """
    tc = import_tensorcircuit()
    _check_layout(ansatz)
    n, p, e0 = ansatz.n, ansatz.layers, ansatz.loss.offset

    def layer(alpha, angles):
        sim = tc.FGSSimulator(n, alpha=alpha)
        for i in range(n - 1):
            sim.evol_hp(i, i + 1, angles[0])
            sim.evol_sp(i, i + 1, angles[0])
        for i in range(n):
            sim.evol_cp(i, -2.0 * angles[1])  # exp(-i t Z / 2) = e^{-i t / 2} exp(i t n)
        return sim.get_alpha(), None

    def energy(theta):
        alpha0 = tc.FGSSimulator(n, filled=[]).get_alpha()
        alpha, _ = jax.lax.scan(layer, alpha0, theta.reshape(p, 2))
        c = tc.FGSSimulator(n, alpha=alpha).get_cmatrix()
        # C[i+n, j+n] = <c_i^dag c_j>, C[i+n, j] = <c_i^dag c_j^dag>.
        xx = sum(2.0 * jnp.real(c[i + n, i + 1 + n] + c[i + n, i + 1]) for i in range(n - 1))
        z = sum(1.0 - 2.0 * jnp.real(c[i + n, i + n]) for i in range(n))
        return -xx - G * z - e0

    return energy


def _jitted(energy) -> Callable[[jnp.ndarray], tuple]:
    return jax.jit(jax.vmap(jax.value_and_grad(energy)))


def prepare(ansatz: Ansatz, values: np.ndarray, statevector: bool) -> dict[str, dict]:
    """Each tool's jitted ``values (B, M) -> (losses, grads)``, first outputs, and jit seconds (wall, CPU)."""
    builders = {"fermion": lambda: build_fermion_engine(ansatz).jax_loss_and_grad()}
    if statevector:
        builders["statevector"] = lambda: build_engine(ansatz).jax_loss_and_grad()
        builders["tc-circuit"] = lambda: _jitted(tc_circuit_energy(ansatz))
    builders["tc-fgs"] = lambda: _jitted(tc_fgs_energy(ansatz))
    v = jnp.asarray(values)
    tools = {}
    for name, build in builders.items():
        t, c = time.perf_counter(), time.process_time()
        f = build()
        out = [np.asarray(o) for o in jax.block_until_ready(f(v))]
        tools[name] = {"call": (lambda f=f: f(v)), "out": out,
                       "jit_s": time.perf_counter() - t, "jit_cpu_s": time.process_time() - c}
    return tools


def agreement(tools: dict[str, dict]) -> dict[str, dict[str, float]]:
    """Max |difference| of each tool's losses and gradients from the fermion engine's."""
    ref = tools["fermion"]["out"]
    return {name: {"loss": float(np.max(np.abs(t["out"][0] - ref[0]))),
                   "grad": float(np.max(np.abs(t["out"][1] - ref[1])))}
            for name, t in tools.items() if name != "fermion"}


def check_agreement(n: int, layers: int, batch: int, seed: int = 0, statevector: bool = True,
                    tolerance: float = TOLERANCE) -> dict[str, dict[str, float]]:
    """Build every tool at ``(n, layers)``, evaluate a random batch, raise if any differs by > ``tolerance``."""
    ansatz = build_ansatz("tfim-hva", n, layers, {"boundary": "open"})
    values = ansatz.random_parameters(np.random.default_rng(seed), batch)
    errors = agreement(prepare(ansatz, values, statevector))
    _raise_if_apart(errors, tolerance)
    return errors


def _raise_if_apart(errors: dict[str, dict[str, float]], tolerance: float) -> None:
    bad = {k: v for k, v in errors.items() if max(v.values()) > tolerance}
    if bad:
        raise RuntimeError(f"tools disagree with the fermion engine beyond {tolerance:g}: {bad}")


def run_case(name: str, repeat: int, seed: int = 0) -> dict:
    """One case: build, check agreement, time round-robin, print and return the numbers."""
    n, layers, batch, statevector = CASES[name]
    t = time.perf_counter()
    ansatz = build_ansatz("tfim-hva", n, layers, {"boundary": "open"})
    build_s = time.perf_counter() - t
    values = ansatz.random_parameters(np.random.default_rng(seed), batch)
    tools = prepare(ansatz, values, statevector)
    errors = agreement(tools)
    for tool, err in errors.items():
        print(f"{name}: {tool:11s} max |diff| vs fermion: loss {err['loss']:.1e}, gradient {err['grad']:.1e} "
              f"(jit {tools[tool]['jit_s']:.1f} s)", flush=True)
    _raise_if_apart(errors, TOLERANCE)
    load_before = _load()
    wall, cpu = round_robin({k: t["call"] for k, t in tools.items()}, repeat)
    load_after = _load()
    ratios = {f"{k}/fermion": round(wall[k] / wall["fermion"], 3) for k in wall if k != "fermion"}
    cpu_ratios = {f"{k}/fermion": round(cpu[k] / cpu["fermion"], 3) for k in cpu if k != "fermion"}
    if statevector:
        ratios["tc-circuit/statevector"] = round(wall["tc-circuit"] / wall["statevector"], 3)
        cpu_ratios["tc-circuit/statevector"] = round(cpu["tc-circuit"] / cpu["statevector"], 3)
    print(f"{name} (n={n} p={layers} M={ansatz.n_params} B={batch}), load {load_before} -> {load_after}:", flush=True)
    for tool in wall:
        print(f"  {tool:11s} {wall[tool]:9.4f} s wall  {cpu[tool]:9.4f} s CPU", flush=True)
    for key in ratios:
        print(f"  ratio {key:22s} {ratios[key]:8.2f} wall  {cpu_ratios[key]:8.2f} CPU", flush=True)
    return {
        "case": name, "n": n, "layers": layers, "n_params": ansatz.n_params, "batch": batch, "repeat": repeat,
        "tools": {k: {"seconds": wall[k], "cpu_seconds": cpu[k], "jit_s": round(tools[k]["jit_s"], 2),
                      "jit_cpu_s": round(tools[k]["jit_cpu_s"], 2),
                      "max_abs_diff_loss": errors.get(k, {}).get("loss", 0.0),
                      "max_abs_diff_grad": errors.get(k, {}).get("grad", 0.0)} for k in wall},
        "ratios": ratios, "cpu_ratios": cpu_ratios, "ansatz_build_s": round(build_s, 2),
        "load_before": load_before, "load_after": load_after,
    }


def import_tensorcircuit():
    """``tensorcircuit`` on JAX in complex128, with JAX's float64 switched back on.

    Importing tensorcircuit sets its default dtype complex64, which turns ``jax_enable_x64`` off for
    the whole process (every engine jitted afterwards would run in float32); ``set_dtype("complex128")``
    turns it on again.
    """
    import tensorcircuit as tc

    tc.set_backend("jax")
    tc.set_dtype("complex128")
    if not jax.config.jax_enable_x64:
        raise RuntimeError("JAX float64 is off after importing tensorcircuit")
    return tc


def _require_tensorcircuit() -> str:
    """TensorCircuit-NG's version; exit 2 with one line when it is not installed."""
    try:
        tc = import_tensorcircuit()
    except ImportError:
        print("bench_tcng.py: the package tensorcircuit-ng is not installed "
              "(pip install tensorcircuit-ng, or the extra overparam[bench])", file=sys.stderr)
        raise SystemExit(2)
    return tc.__version__


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated subset of {', '.join(CASES)}")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json-out", help="write the measured numbers to this JSON file")
    parser.add_argument("--append", action="store_true",
                        help="add these cases to an existing --json-out file (same-named cases are replaced; "
                             "each run's command is kept)")
    args = parser.parse_args(argv)
    cases = args.cases.split(",")
    bad = [c for c in cases if c not in CASES]
    if bad or args.repeat < 1:
        what = f"--cases {','.join(bad)}" if bad else f"--repeat {args.repeat}"
        print(f"bench_tcng.py: bad {what}; accepted cases: {', '.join(CASES)}, repeat >= 1", file=sys.stderr)
        raise SystemExit(2)
    version = _require_tensorcircuit()
    started = time.perf_counter()
    report = {
        "benchmark": "value and gradient of the TFIM residual energy (tfim-hva open, g = 1, float64, one thread, "
                     "batch via jax.vmap): the free-fermion and state-vector engines against TensorCircuit-NG's "
                     "tc.Circuit and tc.FGSSimulator, timed round-robin in one process",
        "command": " ".join([os.path.basename(sys.executable), *sys.argv]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        "pjrt_nproc": os.environ.get("PJRT_NPROC", ""),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", ""),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "jax": jax.__version__},
        "tools": {"tensorcircuit-ng": version, "jax": jax.__version__},
        "timing": "compile and check every tool, then the best of `repeat` round-robin calls, wall and CPU seconds",
        "tolerance": TOLERANCE,
        "tensorcircuit_limits": LIMITS,
        "cases_requested": cases,  # a run cut short keeps the cases it finished
        "comparisons": [],
    }
    old = None
    if args.json_out and args.append and os.path.exists(args.json_out):
        with open(args.json_out) as fh:
            old = json.load(fh)
        if old.get("tools") != report["tools"]:
            print(f"bench_tcng.py: --append to {args.json_out} measured with other tool versions "
                  f"{old.get('tools')}; accepted: {report['tools']}", file=sys.stderr)
            raise SystemExit(2)
    for case in cases:
        report["comparisons"].append(run_case(case, args.repeat))
        report["wall_seconds"] = round(time.perf_counter() - started, 1)
        if args.json_out:  # after every case, so that a long run's finished cases are kept
            _write(report, old, args.json_out)
            print(f"wrote {args.json_out}", flush=True)


def _write(report: dict, old: dict | None, path: str) -> None:
    """Write ``report`` atomically to ``path``, after the comparisons of ``old`` (``--append``) if given."""
    out = dict(report, commands=[report["command"]])
    if old is not None:
        mine = {c["case"] for c in report["comparisons"]}
        out["comparisons"] = [c for c in old["comparisons"] if c["case"] not in mine] + report["comparisons"]
        out["commands"] = [*old.get("commands", [old.get("command", "?")]), report["command"]]
        out["command"] = "; ".join(out["commands"])
        out["wall_seconds"] = round(old.get("wall_seconds", 0.0) + report["wall_seconds"], 1)
        out["date"] = f"{old.get('date', '?')} and {report['date']}"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(out, fh, indent=2)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
