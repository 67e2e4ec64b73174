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
"""

from __future__ import annotations

import dataclasses

import numpy as np

from overparam.geometry.rank import HESSIAN_RTOL

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
