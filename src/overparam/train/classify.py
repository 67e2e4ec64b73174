"""Where a failed training run stopped: slow convergence, a spurious local minimum, or a saddle.

A run "fails" when its final loss stays above the success threshold. To tell a landscape property
(a spurious minimum) from an optimizer property (Adam at a fixed rate converging slowly or
oscillating), the end point is analysed and then continued with a local optimizer that converges
reliably in float64: scipy's trust-region Newton method on the exact Hessian (``trust-exact``), run
until the gradient norm is below ``gtol`` or an iteration budget is spent.

Curvature is judged on the *movable directions* only: the range of the QFIM (summed over the input
states). Along the QFIM's null space the output state does not change to first order, so an
overparametrized circuit has flat directions whose Hessian eigenvalues are zero in exact arithmetic
and would otherwise be mistaken for zero modes (or, after round-off, for negative curvature).

Labels of the continuation's stopping point (see :func:`label_of`):

* ``converges``: its loss above the global minimum is at most ``converged_below``;
* ``local-minimum``: gradient norm below ``gtol``, no clearly negative Hessian eigenvalue on the
  movable directions, loss above ``converged_below`` (a spurious minimum);
* ``saddle``: gradient norm below ``gtol`` and a clearly negative eigenvalue on the movable
  directions at the stopping point (or of the full Hessian, where the QFIM's rank drops);
* ``unresolved``: the budget ran out with the gradient norm still above ``gtol``.

For an energy loss the state at a local minimum is also compared with the spectrum of ``H``: its
energy variance tells whether it is an eigenstate, and the level index which one.

Engines: the state-vector engine (:class:`overparam.sim.engine.Engine`) or, for free-fermion
(matchgate) circuits such as the TFIM chains, the free-fermion engine
(:class:`overparam.sim.fermion.FermionEngine`), chosen like ``overparam train`` does
(``backend="auto"``). Everything the classification needs (loss, gradient, QFIM, Hessian) exists on
both; the eigenstate test of a local minimum needs no state vector either: the output of a
matchgate circuit is a Gaussian state and ``H`` is quadratic, so the energy variance follows from the
covariance matrix by Wick's theorem (:func:`gaussian_energy_variance`), and the level from the
energy and the spectrum of ``H`` (dense up to 12 qubits, as on the state-vector route).
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import scipy.optimize

from overparam.ansatze.base import Ansatz, EnergyLoss
from overparam.errors import BadInput
from overparam.geometry.rank import RTOL
from overparam.hamiltonians import pauli_sum_sparse
from overparam.sim.engine import Engine

try:  # the free-fermion engine is optional at import time only for type names
    from overparam.sim.fermion.engine import FermionEngine
except ImportError:  # pragma: no cover
    FermionEngine = Engine  # type: ignore[misc,assignment]

AnyEngine = Engine | FermionEngine

LABELS = ("converges", "local-minimum", "saddle", "unresolved")

# Arrays and scalars a training shard must hold for its failures to be classified.
SHARD_FIELDS = ("final_params", "final_losses", "ansatz", "model", "n", "layers", "n_params", "options")

# Dense diagonalisation of H (all levels, for naming the eigenstate of a local minimum) up to here.
DENSE_SPECTRUM_MAX_QUBITS = 12


@dataclasses.dataclass(frozen=True)
class Thresholds:
    """Tolerances of the classification, each with the round-off argument behind it.

    * ``gtol``: a critical point has gradient norm below it (float64 gradients of an O(1)-O(n) loss
      are accurate to ~1e-14, so 1e-10 is reachable and four orders above round-off).
    * ``converged_below``: loss above the global minimum counted as having reached it. The energy is
      computed to ~1e-14 n; excited levels of the models here lie >= 1e-2 above E0.
    * ``qfim_rtol``: the QFIM's range is spanned by eigenvectors above ``qfim_rtol * lambda_max``
      (the project's double-precision rank cut, :data:`overparam.geometry.rank.RTOL`).
    * ``negative_rtol``: an eigenvalue of the restricted Hessian is *clearly* negative below
      ``-negative_rtol * max|lambda|``. Forward-over-adjoint Hessians are accurate to ~1e-14 relative;
      at a point with gradient norm g the zero modes of the nearby critical point move by O(g), so
      1e-7 leaves margin on both sides. The same cut separates "positive" from "zero".
    * ``variance_tol``: a state with energy variance below it counts as an eigenstate of H.
    * ``quasi_newton_iter``: BFGS iterations of the continuation's first stage (gradients only).
    * ``max_iter``: trust-region iterations of its second stage (each one Hessian).
    """

    gtol: float = 1e-10
    converged_below: float = 1e-9
    qfim_rtol: float = RTOL["double"]
    negative_rtol: float = 1e-7
    variance_tol: float = 1e-8
    quasi_newton_iter: int = 5000
    max_iter: int = 100

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class PointAnalysis:
    """Loss, gradient and the Hessian on the movable directions at one parameter vector."""

    loss: float
    grad_norm: float
    n_movable: int  # rank of the QFIM (dimension of the movable directions)
    n_negative: int  # eigenvalues below -cut
    n_zero: int  # |eigenvalue| <= cut
    min_positive: float | None  # smallest eigenvalue above +cut (None: there is none)
    min_eigenvalue: float | None  # most negative (or smallest) eigenvalue, unthresholded
    hessian_scale: float  # max |eigenvalue| on the movable directions
    cut: float  # negative_rtol * hessian_scale
    # Clearly negative eigenvalues of the full M x M Hessian, same cut. Where the QFIM's rank is
    # locally constant this equals n_negative (the flat directions carry exact zeros and no cross
    # terms at a critical point); a larger count flags a point where the rank drops and a descent
    # direction is second order in the state.
    n_negative_full: int = 0

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def is_fermion(engine: AnyEngine) -> bool:
    """Whether ``engine`` is the free-fermion engine (one Gaussian input state, no state vector)."""
    return getattr(engine, "kind", None) == "fermion"


def movable_basis(engine: AnyEngine, x: np.ndarray, rtol: float) -> np.ndarray:
    """Orthonormal basis ``(M, k)`` of the QFIM's range at ``x`` (QFIMs summed over the input states).

    A sum of positive semidefinite matrices has the union of their ranges as its range.
    """
    n_states = 1 if is_fermion(engine) else len(engine.ansatz.states())
    qfim = sum(engine.qfim(x, s) for s in range(n_states))
    vals, vecs = np.linalg.eigh(0.5 * (qfim + qfim.T))
    top = float(vals[-1]) if vals.size else 0.0
    if top <= 0.0:
        return np.zeros((len(x), 0))
    return vecs[:, vals > rtol * top]


def restricted_spectrum(hessian: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Ascending eigenvalues of ``basis^T H basis``: the Hessian on the span of ``basis``."""
    block = basis.T @ (0.5 * (hessian + hessian.T)) @ basis
    return np.linalg.eigvalsh(block) if block.size else np.zeros(0)


def curvature_counts(eigenvalues: np.ndarray, negative_rtol: float) -> dict:
    """Counts of clearly negative, zero and positive eigenvalues against ``negative_rtol * max|lambda|``."""
    vals = np.asarray(eigenvalues, dtype=float)
    scale = float(np.max(np.abs(vals))) if vals.size else 0.0
    cut = negative_rtol * scale
    positive = vals[vals > cut]
    return {
        "n_negative": int(np.count_nonzero(vals < -cut)),
        "n_zero": int(np.count_nonzero(np.abs(vals) <= cut)),
        "min_positive": float(positive.min()) if positive.size else None,
        "min_eigenvalue": float(vals.min()) if vals.size else None,
        "hessian_scale": scale,
        "cut": cut,
    }


def analyse_point(engine: AnyEngine, x: np.ndarray, thresholds: Thresholds = Thresholds()) -> PointAnalysis:
    """Loss, gradient norm and the Hessian's spectrum on the movable directions at ``x``."""
    x = np.asarray(x, dtype=np.float64)
    losses, grads = engine.loss_and_grad(x[None, :])
    basis = movable_basis(engine, x, thresholds.qfim_rtol)
    hessian = engine.hessian(x)
    spectrum = restricted_spectrum(hessian, basis)
    counts = curvature_counts(spectrum, thresholds.negative_rtol)
    full = np.linalg.eigvalsh(0.5 * (hessian + hessian.T))
    n_negative_full = int(np.count_nonzero(full < -counts["cut"])) if counts["cut"] > 0 else 0
    return PointAnalysis(
        loss=float(losses[0]), grad_norm=float(np.linalg.norm(grads[0])), n_movable=int(basis.shape[1]),
        n_negative_full=n_negative_full, **counts,
    )


@dataclasses.dataclass(frozen=True)
class Continuation:
    """Where the trust-region Newton continuation stopped, and what it cost."""

    params: np.ndarray
    loss: float
    grad_norm: float
    iterations: int
    hessians: int
    seconds: float
    polished: bool = False  # finished by the Levenberg-Marquardt solve of grad = 0
    quasi_newton_iterations: int = 0
    gradients: int = 0  # loss-and-gradient evaluations, all stages


class _Converged(Exception):
    """Raised inside BFGS's objective once the loss is within ``converged_below`` of the minimum."""


def continue_to_critical_point(engine: AnyEngine, x0: np.ndarray, thresholds: Thresholds = Thresholds()) -> Continuation:
    """Continue a run from ``x0`` with scipy's local optimizers until ``|grad| < gtol`` or the budget is spent.

    Three stages, each from scipy: BFGS (gradients only, cheap) for up to ``quasi_newton_iter``
    iterations; then ``trust-exact`` on the exact Hessian for up to ``max_iter`` iterations, whose
    trust-region step follows negative curvature, so it leaves saddles and converges quadratically;
    then, if the gradient is still above ``gtol``, a Levenberg-Marquardt solve of ``grad = 0`` (see
    below). Each stage starts where the previous one stopped and is skipped once ``|grad| < gtol``, and
    the Newton stages also once the loss is at most ``converged_below``.
    """
    counts = {"hess": 0, "grad": 0}

    def fun(v: np.ndarray) -> tuple[float, np.ndarray]:
        counts["grad"] += 1
        losses, grads = engine.loss_and_grad(v[None, :])
        return float(losses[0]), np.asarray(grads[0], dtype=np.float64)

    def hess(v: np.ndarray) -> np.ndarray:
        counts["hess"] += 1
        h = engine.hessian(v)
        return 0.5 * (h + h.T)

    start = time.perf_counter()
    x = np.asarray(x0, dtype=np.float64)
    loss, grad = fun(x)
    nit = {"bfgs": 0, "trust": 0}
    polished = False
    if np.linalg.norm(grad) >= thresholds.gtol and thresholds.quasi_newton_iter > 0 and loss > thresholds.converged_below:
        # Dense BFGS: at these sizes (M <= ~1400) its M x M update costs less than the extra
        # iterations of limited-memory BFGS (measured at n = 10, M = 100: 118 BFGS iterations, 0.6 s,
        # against 470 L-BFGS-B iterations, 18 s, to the same loss).
        # BFGS stops at the first evaluation within converged_below of the global minimum: the label
        # is then "converges" whatever follows, and the last 10-15 % of its evaluations (measured at
        # open n = 10, M = 80) only polish the loss from 1e-9 to round-off.
        found: dict = {}

        def fun_until_converged(v: np.ndarray) -> tuple[float, np.ndarray]:
            value, gradient = fun(v)
            if value <= thresholds.converged_below:
                found.update(x=np.array(v), loss=value, grad=gradient)
                raise _Converged
            return value, gradient

        try:
            res = scipy.optimize.minimize(fun_until_converged, x, jac=True, method="BFGS",
                                          options={"maxiter": thresholds.quasi_newton_iter, "gtol": thresholds.gtol})
            new_x, nit["bfgs"] = np.asarray(res.x), int(res.nit)
            new_loss, new_grad = fun(new_x)
        except _Converged:
            new_x, new_loss, new_grad = found["x"], found["loss"], found["grad"]
            nit["bfgs"] = counts["grad"] - 1  # evaluations (iterations are not reported when stopped early)
        if new_loss <= loss:
            x, loss, grad = new_x, new_loss, new_grad
    # At the global minimum already (the label is "converges" whatever the gradient): the Newton
    # stages would only chase round-off in the loss.
    done = loss <= thresholds.converged_below
    if not done and np.linalg.norm(grad) >= thresholds.gtol and thresholds.max_iter > 0:
        res = scipy.optimize.minimize(fun, x, jac=True, hess=hess, method="trust-exact",
                                      options={"gtol": thresholds.gtol, "maxiter": thresholds.max_iter})
        x, nit["trust"] = np.asarray(res.x), int(res.nit)
        loss, grad = fun(x)
    if not done and np.linalg.norm(grad) >= thresholds.gtol and nit["trust"] < thresholds.max_iter:
        # trust-exact judges steps by the decrease of the loss; near an ill-conditioned minimum the
        # predicted decrease |g|^2 / lambda_min falls below the loss's float64 resolution (~1e-15 of
        # |E|) and the method stops with |g| ~ 1e-10 .. 1e-8. Finish by solving grad = 0 with
        # Levenberg-Marquardt on the exact Hessian (scipy.optimize.root): its merit is the gradient's
        # norm, which round-off does not hide, and it tolerates the flat directions. The stopping
        # point is accepted only if the gradient shrank and the loss did not rise beyond round-off.
        sol = scipy.optimize.root(lambda v: fun(v)[1], x, jac=hess, method="lm",
                                  options={"xtol": 1e-15, "ftol": 1e-15, "maxiter": 40})
        new_loss, new_grad = fun(np.asarray(sol.x))
        if np.linalg.norm(new_grad) < np.linalg.norm(grad) and new_loss <= loss + 1e-12 * max(1.0, abs(loss)):
            x, loss, grad, polished = np.asarray(sol.x), new_loss, new_grad, True
    return Continuation(x, loss, float(np.linalg.norm(grad)), nit["bfgs"] + nit["trust"], counts["hess"],
                        time.perf_counter() - start, polished, nit["bfgs"], counts["grad"])


def label_of(point: PointAnalysis, thresholds: Thresholds) -> str:
    """The label of a continuation's stopping point (see the module docstring)."""
    if point.loss <= thresholds.converged_below:
        return "converges"
    if point.grad_norm >= thresholds.gtol:
        return "unresolved"
    return "saddle" if point.n_negative > 0 or point.n_negative_full > 0 else "local-minimum"


@dataclasses.dataclass(frozen=True)
class Spectrum:
    """All eigenvalues of an energy loss's observable (ascending) and its offset (the ground energy)."""

    matrix: object | None  # scipy sparse matrix of H (None on the free-fermion route beyond 12 qubits)
    eigenvalues: np.ndarray | None
    offset: float


def energy_spectrum(ansatz: Ansatz, with_matrix: bool = True) -> Spectrum | None:
    """The observable of an energy loss with, up to 12 qubits, its full spectrum; ``None`` otherwise.

    ``with_matrix=False`` (the free-fermion route, which needs only the eigenvalues) skips the sparse
    matrix where no dense spectrum is taken either, so nothing of size ``2^n`` is built beyond 12 qubits.
    """
    loss = ansatz.loss
    if not isinstance(loss, EnergyLoss):
        return None
    dense = ansatz.n_qubits <= DENSE_SPECTRUM_MAX_QUBITS
    mat = pauli_sum_sparse(loss.observable, ansatz.qubits) if (with_matrix or dense) else None
    vals = np.linalg.eigvalsh(mat.toarray()) if dense else None
    return Spectrum(mat if with_matrix else None, vals, float(loss.offset))


def eigenstate_of(spectrum: Spectrum, state: np.ndarray, thresholds: Thresholds) -> dict:
    """Energy above E0, energy variance and, for an eigenstate, its level (0 = ground, distinct energies)."""
    h_psi = spectrum.matrix @ state
    energy = float(np.real(np.vdot(state, h_psi)))
    variance = max(float(np.real(np.vdot(h_psi, h_psi))) - energy**2, 0.0)
    return _eigen_level(spectrum, energy, variance, thresholds)


def gaussian_energy_variance(loss_matrix: np.ndarray, covariance: np.ndarray) -> float:
    """Energy variance of ``H = (i/4) sum_uv h_uv g_u g_v + c`` in a pure Gaussian state of covariance ``M``.

    Wick's theorem for ``M_uv = i <g_u g_v>`` (``u != v``) gives
    ``Var H = -(1/8) [tr(h h) + tr(h M h M)]``, the same contraction as the QFIM of a quadratic
    generator (``F = 4 Var G``); for a pure state (``M^2 = -1``) it vanishes exactly when ``h``
    commutes with ``M``, i.e. when the state is an eigenstate of ``H``.
    """
    h = 0.5 * (loss_matrix - loss_matrix.T)
    m = 0.5 * (covariance - covariance.T)
    hm = h @ m
    return max(-0.125 * float(np.sum(h * h.T) + np.sum(hm * hm.T)), 0.0)


def eigenstate_of_covariance(spectrum: Spectrum, engine: AnyEngine, x: np.ndarray, thresholds: Thresholds) -> dict:
    """:func:`eigenstate_of` on the free-fermion route: energy and variance from the output covariance."""
    cov = engine.covariance(np.asarray(x)[None, :])[0]
    prog = engine.program
    energy = 0.25 * float(np.sum(prog.loss_matrix * cov)) + prog.loss_constant + spectrum.offset
    return _eigen_level(spectrum, energy, gaussian_energy_variance(prog.loss_matrix, cov), thresholds)


def _eigen_level(spectrum: Spectrum, energy: float, variance: float, thresholds: Thresholds) -> dict:
    out = {"energy": energy, "energy_above_e0": energy - spectrum.offset, "energy_variance": variance,
           "eigenstate": bool(variance < thresholds.variance_tol), "eigen_level": None, "eigen_index": None}
    if out["eigenstate"] and spectrum.eigenvalues is not None:
        vals = spectrum.eigenvalues
        # Levels: eigenvalues closer than 1e-8 count as one (degenerate) level.
        distinct = vals[np.concatenate([[True], np.diff(vals) > 1e-8])]
        out["eigen_level"] = int(np.argmin(np.abs(distinct - energy)))
        out["eigen_index"] = int(np.count_nonzero(vals < energy - 1e-8))
    return out


def classify_run(
    engine: AnyEngine, x_end: np.ndarray, thresholds: Thresholds = Thresholds(), spectrum: Spectrum | None = None
) -> dict:
    """Analyse one failed run's end point, continue it, and label where the continuation stopped."""
    start = time.perf_counter()
    end = analyse_point(engine, x_end, thresholds)
    cont = continue_to_critical_point(engine, x_end, thresholds)
    stop = analyse_point(engine, cont.params, thresholds)
    label = label_of(stop, thresholds)
    out = {
        "label": label,
        "end": end.as_dict(),
        "stop": stop.as_dict(),
        "continuation": {"loss": cont.loss, "grad_norm": cont.grad_norm, "iterations": cont.iterations,
                         "hessians": cont.hessians, "gradients": cont.gradients,
                         "quasi_newton_iterations": cont.quasi_newton_iterations, "seconds": cont.seconds, "polished": cont.polished,
                         "distance": float(np.linalg.norm(cont.params - np.asarray(x_end)))},
        "stop_params": [float(v) for v in cont.params],
    }
    if label == "local-minimum" and spectrum is not None:
        if is_fermion(engine):
            out["eigenstate"] = eigenstate_of_covariance(spectrum, engine, cont.params, thresholds)
        else:
            out["eigenstate"] = eigenstate_of(spectrum, engine.state(cont.params), thresholds)
    out["seconds"] = time.perf_counter() - start
    return out


@dataclasses.dataclass(frozen=True)
class Shard:
    """What the classification needs from one training shard (``.npz``)."""

    path: str
    ansatz: str
    model: str
    n: int
    layers: int
    n_params: int
    options: dict
    final_params: np.ndarray
    final_losses: np.ndarray
    steps: int | None
    seed: int | None
    # The lowest loss of each run's curve (None for shards without curves) and the floor at which the
    # fixed protocol stops a run (None for shards from before it was recorded). A failed run whose
    # lowest loss is at or below the floor reached the global minimum and was thrown back by Adam.
    lowest_losses: np.ndarray | None = None
    fixed_floor: float | None = None
    stop_below: float | None = None


def read_shard(path: str | Path) -> Shard:
    """Read a training shard; :class:`BadInput` naming the file and the missing field if it lacks one.

    Shards written before the final parameters were saved, and unreadable files, are refused before
    any computation.
    """
    path = str(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [f for f in SHARD_FIELDS if f not in z.files]
            if missing:
                raise BadInput(f"training shard {path!r} lacks the field(s) {', '.join(missing)}; "
                               "rerun 'overparam train ... --curves' with this version to write them")
            data = {f: z[f] for f in z.files}
    except BadInput:
        raise
    except Exception as exc:  # zipfile/pickle/OS errors of a corrupt or absent file
        raise BadInput(f"training shard {path!r} is not a readable .npz file ({type(exc).__name__}: {exc})") from None
    params, losses = np.asarray(data["final_params"], float), np.asarray(data["final_losses"], float)
    n_params = int(data["n_params"])
    if params.ndim != 2 or params.shape[1] != n_params or losses.shape != (params.shape[0],):
        raise BadInput(f"training shard {path!r} has final_params of shape {params.shape} and final_losses of "
                       f"shape {losses.shape}; expected (runs, {n_params}) and (runs,)")
    try:
        options = json.loads(str(data["options"]))
    except json.JSONDecodeError:
        raise BadInput(f"training shard {path!r} has an options field that is not JSON") from None
    lowest = None
    if "curves" in data:
        curves = np.asarray(data["curves"], float)
        if curves.ndim != 2 or curves.shape[0] != params.shape[0]:
            raise BadInput(f"training shard {path!r} has curves of shape {curves.shape}; expected ({params.shape[0]}, steps)")
        # NaN-safe: a run stopped at the floor pads nothing, but a diverged one may carry NaN.
        lowest = np.minimum(np.nanmin(np.where(np.isfinite(curves), curves, np.inf), axis=1), losses)
    return Shard(
        path=path, ansatz=str(data["ansatz"]), model=str(data["model"]), n=int(data["n"]),
        layers=int(data["layers"]), n_params=n_params, options=options, final_params=params, final_losses=losses,
        steps=int(data["steps"]) if "steps" in data else None, seed=int(data["seed"]) if "seed" in data else None,
        lowest_losses=lowest, fixed_floor=float(data["fixed_floor"]) if "fixed_floor" in data else None,
        stop_below=float(data["stop_below"]) if "stop_below" in data else None,
    )


def failed_runs(final_losses: Sequence[float], success_threshold: float) -> list[int]:
    """Indices of the runs whose final loss is at or above ``success_threshold`` (the failures)."""
    return [i for i, v in enumerate(final_losses) if not v < success_threshold]


def adam_history(shard: Shard, run: int) -> dict:
    """What Adam's curve says about a failed run: its lowest loss and whether it had reached the floor.

    ``reached_floor`` (the lowest loss at or below the shard's ``fixed_floor``) marks a run that got to
    the global minimum and was thrown back out by Adam's fixed rate: the fixed protocol, which stops a
    run at the floor, counts it as a success. ``None`` where the shard does not record it.
    """
    if shard.lowest_losses is None:
        return {"lowest_loss": None, "reached_floor": None}
    low = float(shard.lowest_losses[run])
    reached = None if shard.fixed_floor is None or shard.stop_below is not None else bool(low <= shard.fixed_floor)
    return {"lowest_loss": low, "reached_floor": reached}


def classify_failed_run(shard: Shard, engine: AnyEngine, run: int, thresholds: Thresholds = Thresholds(),
                        spectrum: Spectrum | None = None) -> dict:
    """One failed run of ``shard``, classified (:func:`classify_run`), with what Adam's curve says of it."""
    res = classify_run(engine, shard.final_params[run], thresholds, spectrum)
    return {"run": int(run), "final_loss": float(shard.final_losses[run]), **adam_history(shard, run), **res}


def summarise_shard(shard: Shard, engine: AnyEngine, results: Sequence[dict], *, success_threshold: float,
                    thresholds: Thresholds = Thresholds(), seconds: float) -> dict:
    """The JSON summary of one configuration from its classified failed runs (in run order).

    Raises :class:`BadInput` unless ``results`` holds exactly the shard's failed runs, so a summary
    assembled from pieces (runs classified by several workers) cannot silently miss one.
    """
    runs = failed_runs(shard.final_losses, success_threshold)
    got = [int(r["run"]) for r in results]
    if got != runs:
        missing = sorted(set(runs) - set(got))
        raise BadInput(f"classification of {shard.path!r} has runs {got[:5]}...; expected the {len(runs)} failed "
                       f"runs (missing {missing[:10]})")
    counts = {label: sum(r["label"] == label for r in results) for label in LABELS}
    thrown_back = {label: sum(bool(r.get("reached_floor")) and r["label"] == label for r in results) for label in LABELS}
    return {
        "shard": shard.path, "model": shard.model, "ansatz": shard.ansatz, "n": shard.n, "layers": shard.layers,
        "n_params": shard.n_params, "options": shard.options, "runs": int(len(shard.final_losses)),
        "steps": shard.steps, "seed": shard.seed, "success_threshold": success_threshold,
        "thresholds": thresholds.as_dict(), "failed": len(runs), "counts": counts,
        "backend": getattr(engine, "kind", "jax"), "fixed_floor": shard.fixed_floor, "stop_below": shard.stop_below,
        "reached_floor": sum(thrown_back.values()) if shard.lowest_losses is not None and shard.fixed_floor is not None
        else None, "reached_floor_counts": thrown_back,
        "seconds": seconds, "results": list(results),
    }


def classify_shard(
    shard: Shard,
    engine: AnyEngine,
    *,
    success_threshold: float,
    thresholds: Thresholds = Thresholds(),
    log: Callable[[str], None] | None = None,
) -> dict:
    """Classify every failed run of one shard; the JSON summary of the configuration."""
    spectrum = energy_spectrum(engine.ansatz, with_matrix=not is_fermion(engine))
    runs = failed_runs(shard.final_losses, success_threshold)
    start = time.perf_counter()
    results = []
    for k, run in enumerate(runs):
        res = classify_failed_run(shard, engine, run, thresholds, spectrum)
        results.append(res)
        if log is not None:
            elapsed = time.perf_counter() - start
            log(f"[classify {shard.model} n={shard.n} L={shard.layers}] run {run} ({k + 1}/{len(runs)}): "
                f"{res['label']} end loss {res['end']['loss']:.3e} |g| {res['end']['grad_norm']:.1e} "
                f"neg {res['end']['n_negative']} -> loss {res['continuation']['loss']:.3e} "
                f"|g| {res['continuation']['grad_norm']:.1e} in {res['seconds']:.2f}s "
                f"(elapsed {elapsed:.1f}s, eta {elapsed / (k + 1) * (len(runs) - k - 1):.1f}s)")
    return summarise_shard(shard, engine, results, success_threshold=success_threshold, thresholds=thresholds,
                           seconds=time.perf_counter() - start)


def open_shard(shard_path: str | Path, backend: str = "auto") -> tuple[Shard, AnyEngine]:
    """Read and check a training shard and build the engine its failures are classified on.

    ``backend``: ``auto`` (the free-fermion engine where the circuit is a matchgate circuit, else the
    state-vector engine), ``fermion`` or ``jax``. :class:`BadInput` for a bad shard or backend name.
    """
    from overparam.ansatze.registry import build_ansatz
    from overparam.sim.engine import build_engine
    from overparam.sim.fermion import build_fermion_engine
    from overparam.sim.fermion.select import check_backend_name, resolve_backend

    check_backend_name(backend, ("jax",))
    shard = read_shard(shard_path)
    ansatz = build_ansatz(shard.ansatz, shard.n, shard.layers, {k: str(v) for k, v in shard.options.items()})
    if ansatz.n_params != shard.n_params:
        raise BadInput(f"training shard {str(shard_path)!r} has n_params {shard.n_params}, but {shard.ansatz} "
                       f"n={shard.n} L={shard.layers} has {ansatz.n_params}")
    chosen = resolve_backend(ansatz, backend, "jax")
    engine = build_fermion_engine(ansatz) if chosen == "fermion" else build_engine(ansatz)
    return shard, engine


def classify_file(
    shard_path: str | Path,
    out_path: str | Path,
    *,
    success_threshold: float,
    experiment: str | None = None,
    thresholds: Thresholds = Thresholds(),
    log: Callable[[str], None] | None = None,
    backend: str = "auto",
) -> dict:
    """Read one training shard, classify its failed runs and write the JSON summary atomically.

    The shard is read and checked (and the ansatz rebuilt) before any computation, so a bad shard
    raises :class:`BadInput` with nothing written. ``experiment`` defaults to the shard's folder name
    (``results/data/train/<experiment>/<run>.npz``). ``backend``: ``auto`` (the free-fermion engine
    where the circuit is a matchgate circuit, else the state-vector engine), ``fermion`` or ``jax``.
    """
    from overparam.fileio import write_json

    if not (np.isfinite(success_threshold) and success_threshold > 0):
        raise BadInput(f"success threshold {success_threshold!r} must be a positive finite float")
    shard, engine = open_shard(shard_path, backend)
    summary = classify_shard(shard, engine, success_threshold=success_threshold,
                             thresholds=thresholds, log=log)
    summary = {"experiment": experiment or Path(shard_path).parent.name, **summary}
    write_json(out_path, summary)
    return summary
