"""Critical points of a loss landscape and 2-D slices through them (fig1).

The paper's fig1 is a schematic: below the critical number of parameters the landscape has spurious
local minima, above it they become saddles. This module measures that on a real model:

* :func:`refine` polishes an optimiser's end point to a critical point (trust-region Newton on the
  engine's exact gradient and Hessian), and :func:`classify` names it from the Hessian's signs.
* :func:`embed_layers` carries a parameter vector of a ``p``-layer periodic ansatz into a deeper one by
  inserting zero-angle layers. For the TFIM HVA (two commuting generators per layer, input state an
  eigenstate of the second) every inserted zero gate sits next to a gate of the same generator, so a
  critical point of the shallow model is a critical point of the deep one with the same loss; the
  caller checks that numerically before reading the Hessian there.
* :func:`slice_losses` evaluates the loss on a plane ``origin + a u + b v``.

:func:`landscape_payload` is the whole measurement behind ``overparam landscape``: it trains a
shallow and a deep model from many initialisations, refines and classifies every end point,
carries the shallow model's minima into the deep one and slices both landscapes.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import Counter

import numpy as np

from overparam.errors import BadInput
from overparam.geometry.rank import HESSIAN_RTOL

log = logging.getLogger(__name__)

# A point is critical when |grad| is below this after refinement (the loss E - E0 is rounded at
# ~1e-15, so |grad| at an exact minimum bottoms out near 1e-7); the Hessian index counts
# eigenvalues below -HESSIAN_RTOL * max|lambda| (zero modes of an overparametrized model sit at the
# refinement's residual, far inside that cut).
GRAD_TOL = 1e-6


@dataclasses.dataclass(frozen=True)
class CriticalPoint:
    """A refined point: its loss, gradient norm and ascending Hessian eigenvalues."""

    params: np.ndarray
    loss: float
    grad_norm: float
    hessian: np.ndarray  # ascending

    @property
    def cut(self) -> float:
        return HESSIAN_RTOL * float(np.max(np.abs(self.hessian))) if self.hessian.size else 0.0

    @property
    def index(self) -> int:
        """Number of negative Hessian eigenvalues (descent directions)."""
        return int(np.count_nonzero(self.hessian < -self.cut))

    @property
    def zero_modes(self) -> int:
        """Number of Hessian eigenvalues within the cut of zero (flat directions)."""
        return int(np.count_nonzero(np.abs(self.hessian) <= self.cut))


def evaluate(engine, x: np.ndarray) -> CriticalPoint:
    """Loss, gradient norm and Hessian spectrum of ``engine``'s loss at ``x``."""
    loss, grad = engine.loss_and_grad(x[None, :])
    h = engine.hessian(x)
    eig = np.linalg.eigvalsh(0.5 * (h + h.T))
    return CriticalPoint(np.asarray(x, dtype=float), float(loss[0]), float(np.linalg.norm(grad[0])), eig)


def refine(engine, x0: np.ndarray, gtol: float = 1e-11, maxiter: int = 300) -> CriticalPoint:
    """Polish ``x0`` with trust-region Newton (exact gradient and Hessian) and evaluate the result.

    Started from the end of a descent run it converges to the nearby minimum (or stays at a
    critical point that is already converged); it never climbs.
    """
    from scipy.optimize import minimize

    def fun(x):
        loss, grad = engine.loss_and_grad(x[None, :])
        return float(loss[0]), np.asarray(grad[0], dtype=float)

    res = minimize(fun, np.asarray(x0, dtype=float), jac=True, hess=engine.hessian, method="trust-exact",
                   options={"gtol": gtol, "maxiter": maxiter})
    return evaluate(engine, res.x)


def classify(point: CriticalPoint, best_loss: float, loss_tol: float, grad_tol: float = GRAD_TOL) -> str:
    """``global minimum``, ``spurious minimum``, ``saddle`` or ``not converged``.

    ``global`` means within ``loss_tol`` of ``best_loss`` (the lowest loss found at this depth);
    a minimum has no negative Hessian eigenvalue beyond the cut.
    """
    if point.grad_norm > grad_tol:
        return "not converged"
    if point.index > 0:
        return "saddle"
    return "global minimum" if point.loss <= best_loss + loss_tol else "spurious minimum"


def embed_layers(params: np.ndarray, layers: int, target_layers: int) -> np.ndarray:
    """Insert ``target_layers - layers`` zero-angle layers, spread one by one before the real layers.

    Parameters are laid out layer by layer (``M / layers`` per layer, the ansatz's symbol order).
    """
    params = np.asarray(params, dtype=float)
    if target_layers < layers or params.size % layers:
        raise ValueError(f"cannot embed {layers} layers ({params.size} parameters) into {target_layers}")
    per = params.size // layers
    blocks = params.reshape(layers, per)
    extra = target_layers - layers
    out = []
    for i, block in enumerate(blocks):
        out += [np.zeros(per)] * (extra // layers + (1 if i < extra % layers else 0))
        out.append(block)
    return np.concatenate(out)


def slice_plane(origin: np.ndarray, target: np.ndarray, hessian_at_origin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Directions ``u = target - origin`` and ``v``: the origin's lowest-curvature Hessian
    eigenvector made orthogonal to ``u`` and scaled to ``|u|``."""
    u = np.asarray(target, dtype=float) - np.asarray(origin, dtype=float)
    vals, vecs = np.linalg.eigh(0.5 * (hessian_at_origin + hessian_at_origin.T))
    norm_u = float(np.linalg.norm(u))
    unit_u = u / norm_u
    for k in range(vecs.shape[1]):  # the lowest eigenvector that is not (almost) parallel to u
        w = vecs[:, k] - unit_u * (unit_u @ vecs[:, k])
        if np.linalg.norm(w) > 0.3:
            return u, w / np.linalg.norm(w) * norm_u
    raise ValueError("no Hessian eigenvector leaves the direction to the target")


def slice_losses(engine, origin: np.ndarray, u: np.ndarray, v: np.ndarray, alphas: np.ndarray,
                 betas: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """Loss at ``origin + a u + b v`` on the grid, shape ``(len(betas), len(alphas))``."""
    aa, bb = np.meshgrid(alphas, betas)
    pts = origin[None, :] + aa.reshape(-1, 1) * u[None, :] + bb.reshape(-1, 1) * v[None, :]
    losses = np.concatenate([engine.loss(pts[i : i + chunk]) for i in range(0, len(pts), chunk)])
    return losses.reshape(aa.shape)


def plane_coordinates(x: np.ndarray, origin: np.ndarray, u: np.ndarray, v: np.ndarray) -> tuple[float, float, float]:
    """Coordinates ``(a, b)`` of ``x`` projected on the plane and its distance from the plane."""
    basis = np.stack([u, v], axis=1)
    coef, *_ = np.linalg.lstsq(basis, x - origin, rcond=None)
    off = float(np.linalg.norm(x - origin - basis @ coef))
    return float(coef[0]), float(coef[1]), off


def _point_record(p: CriticalPoint, kind: str, init: int) -> dict:
    return {
        "init": init,
        "loss": p.loss,
        "grad_norm": p.grad_norm,
        "kind": kind,
        "hessian_index": p.index,
        "zero_modes": p.zero_modes,
        "hessian_min": float(p.hessian[0]),
        "hessian_max": float(p.hessian[-1]),
    }


def landscape_payload(ansatz_name: str, n: int, options: dict[str, str], under: int, over: int, inits: int,
                      steps: int, lr: float, seed: int, grid: int, loss_tol: float, label: str | None) -> dict:
    """Critical points of a shallow and a deep model, carried-over minima, and two loss slices."""
    from overparam.ansatze import build_ansatz
    from overparam.sim.engine import build_engine
    from overparam.train import train

    if not under < over:
        raise BadInput(f"--under {under} and --over {over} are not accepted; expected under < over")
    if not (lr > 0 and loss_tol > 0):
        raise BadInput(f"--lr {lr} / --loss-tol {loss_tol} are not accepted; expected positive floats")
    shallow, deep = (build_ansatz(ansatz_name, n, p, options) for p in (under, over))
    for a in (shallow, deep):
        if a.loss is None:
            raise BadInput(f"ansatz {ansatz_name!r} defines no loss; a landscape needs one")
        if a.n_params % a.layers:
            raise BadInput(f"ansatz {ansatz_name!r} has {a.n_params} parameters over {a.layers} layers; "
                           "carrying minima between depths needs the same number of parameters per layer")
    t0 = time.perf_counter()
    depths, found = [], {}
    for a in (shallow, deep):
        engine = build_engine(a)
        run = train(a, runs=inits, steps=steps, lr=lr, seed=seed, engine=engine, log=None, qsim_check=False)
        points = [refine(engine, x) for x in run.final_params]
        best = min(p.loss for p in points)
        kinds = [classify(p, best, loss_tol) for p in points]
        found[a.layers] = (engine, points, kinds)
        depths.append({
            "layers": a.layers,
            "n_params": a.n_params,
            "best_loss": best,
            "counts": dict(Counter(kinds)),
            "distinct_minima": sorted({round(p.loss, 9) for p, k in zip(points, kinds) if k.endswith("minimum")}),
            "points": [_point_record(p, k, i) for i, (p, k) in enumerate(zip(points, kinds))],
        })
        log.info("layers=%d: %s (best loss %.3e, %.1f s)", a.layers, dict(Counter(kinds)), best,
                 time.perf_counter() - t0)

    eng_s, pts_s, kinds_s = found[under]
    eng_d, pts_d, kinds_d = found[over]
    best_d = depths[1]["best_loss"]
    carried = []
    for i, (p, k) in enumerate(zip(pts_s, kinds_s)):
        if not k.endswith("minimum"):
            continue
        c = evaluate(eng_d, embed_layers(p.params, under, over))
        if abs(c.loss - p.loss) > 1e-9 * max(1.0, abs(p.loss)) or c.grad_norm > 10 * max(p.grad_norm, GRAD_TOL):
            raise BadInput(
                f"ansatz {ansatz_name!r}: a minimum of the {under}-layer model carried into {over} layers by "
                f"zero-angle layers is not a critical point there (loss {p.loss:.3e} -> {c.loss:.3e}, "
                f"|grad| {c.grad_norm:.1e}); "
                "the landscape comparison needs a periodic ansatz such as tfim-hva"
            )
        rec = _point_record(c, classify(c, best_d, loss_tol), i)
        rec["from_kind"] = k
        carried.append(rec)

    spurious = [i for i, k in enumerate(kinds_s) if k == "spurious minimum"]
    lowest = [i for i, k in enumerate(kinds_s) if k == "global minimum"]
    if not spurious or not lowest:
        raise BadInput(f"no {'spurious' if not spurious else 'converged lowest'} minimum found at {under} layers from "
                       f"{inits} initialisations; choose a shallower depth, more initialisations or more steps")
    # The slice of the shallow model: through its most frequent spurious minimum and the nearest lowest minimum.
    levels = Counter(round(pts_s[i].loss, 9) for i in spurious)
    level = max(levels, key=lambda v: (levels[v], -v))
    origin_i = min((i for i in spurious if round(pts_s[i].loss, 9) == level),
                   key=lambda i: min(np.linalg.norm(pts_s[i].params - pts_s[j].params) for j in lowest))
    target_i = min(lowest, key=lambda j: np.linalg.norm(pts_s[origin_i].params - pts_s[j].params))
    origin, target = pts_s[origin_i], pts_s[target_i]
    h_s = eng_s.hessian(origin.params)
    u, v = slice_plane(origin.params, target.params, h_s)
    alphas, betas = np.linspace(-0.6, 1.6, grid), np.linspace(-1.0, 1.0, grid)
    slices = [{
        "layers": under,
        "n_params": shallow.n_params,
        "alphas": alphas.tolist(),
        "betas": betas.tolist(),
        "losses": slice_losses(eng_s, origin.params, u, v, alphas, betas).tolist(),
        "markers": [
            {"label": "spurious minimum", "alpha": 0.0, "beta": 0.0,
             **_point_record(origin, "spurious minimum", origin_i)},
            {"label": "lowest minimum found", "alpha": 1.0, "beta": 0.0,
             **_point_record(target, "global minimum", target_i)},
        ],
    }]
    # The deep model: the same spurious minimum carried over (now a saddle). Leave it along its most
    # negative curvature direction and descend to a minimum; slice through saddle and that minimum.
    origin_d = evaluate(eng_d, embed_layers(origin.params, under, over))
    h_d = eng_d.hessian(origin_d.params)
    vals, vecs = np.linalg.eigh(0.5 * (h_d + h_d.T))
    start = origin_d.params + 0.05 * vecs[:, 0]
    run = train(deep, runs=1, steps=steps, lr=lr, seed=seed, engine=eng_d, initial=start[None, :], log=None,
                qsim_check=False)
    target_d = refine(eng_d, run.final_params[0])
    u_d, v_d = slice_plane(origin_d.params, target_d.params, h_d)
    carried_lowest = evaluate(eng_d, embed_layers(target.params, under, over))
    a_l, b_l, off = plane_coordinates(carried_lowest.params, origin_d.params, u_d, v_d)
    slices.append({
        "layers": over,
        "n_params": deep.n_params,
        "alphas": alphas.tolist(),
        "betas": betas.tolist(),
        "losses": slice_losses(eng_d, origin_d.params, u_d, v_d, alphas, betas).tolist(),
        "markers": [
            {"label": "carried spurious minimum", "alpha": 0.0, "beta": 0.0,
             **_point_record(origin_d, classify(origin_d, best_d, loss_tol), origin_i)},
            {"label": "minimum reached from it", "alpha": 1.0, "beta": 0.0,
             **_point_record(target_d, classify(target_d, best_d, loss_tol), origin_i)},
            {"label": "carried lowest minimum", "alpha": a_l, "beta": b_l, "distance_from_plane": off,
             **_point_record(carried_lowest, classify(carried_lowest, best_d, loss_tol), target_i)},
        ],
    })
    return {
        "model": label or ansatz_name,
        "ansatz": ansatz_name,
        "n": n,
        "options": {k: str(v) for k, v in shallow.options.items()},
        "under": under,
        "over": over,
        "inits": inits,
        "steps": steps,
        "lr": lr,
        "seed": seed,
        "loss_tol": loss_tol,
        "grad_tol": GRAD_TOL,
        "hessian_rtol": HESSIAN_RTOL,
        "depths": depths,
        "carried": carried,
        "slices": slices,
        "seconds": time.perf_counter() - t0,
    }
