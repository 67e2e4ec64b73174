"""``overparam spectra`` (fig4, supp1) and ``overparam landscape`` (fig1).

``spectra`` reads a training shard and computes QFIM and Hessian spectra at its random initial
points and at its converged solutions. ``landscape`` trains a shallow and a deep version of one
model from many initialisations, polishes every end point to a critical point, classifies it by its
Hessian, carries the shallow model's minima into the deep model and evaluates the loss on a 2-D
slice through a spurious minimum (shallow) and through its carried-over image (deep).
"""

from __future__ import annotations

import argparse
import logging
import time
from collections import Counter

import numpy as np

log = logging.getLogger(__name__)


# --- spectra -----------------------------------------------------------------------------------


def _load_shard(path: str) -> dict:
    from overparam.errors import BadInput

    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError) as exc:
        raise BadInput(f"--shard {path!r} cannot be read ({exc}); expected a .npz written by 'overparam train --curves'") from exc


def spectra_payload(ansatz_name: str, n: int, layers: int, options: dict[str, str], shard_path: str, random: int,
                    solutions: int, converged_below: float, max_memory_mb: float | None, label: str | None,
                    polish: bool = False) -> dict:
    """Check everything, then compute the spectra at the shard's random and converged points."""
    from overparam.ansatze import build_ansatz
    from overparam.errors import BadInput
    from overparam.geometry.rank import HESSIAN_RTOL, RTOL
    from overparam.geometry.spectra import check_memory, check_shard, point_spectra, select_points

    if not converged_below > 0:
        raise BadInput(f"--converged-below {converged_below} is not accepted; expected a positive float")
    if random < 0 or solutions < 0 or random + solutions == 0:
        raise BadInput(f"--random {random} --solutions {solutions} are not accepted; expected counts >= 0, not both 0")
    ansatz = build_ansatz(ansatz_name, n, layers, options)
    if ansatz.loss is None:
        raise BadInput(f"ansatz {ansatz_name!r} defines no loss; the Hessian needs one")
    limit = None if max_memory_mb is None else int(max_memory_mb * 2**20)
    need = check_memory(ansatz, limit)
    shard = _load_shard(shard_path)
    check_shard(shard, ansatz, shard_path)
    points = select_points(shard, random, solutions, converged_below, shard_path)
    from overparam.sim.engine import build_engine

    t0 = time.perf_counter()
    engine = build_engine(ansatz)
    params = np.array(points.params, copy=True)
    train_losses = engine.loss(params) if len(params) else np.zeros(0)
    if polish:
        # Training stops after a fixed number of steps; trust-region Newton on the exact Hessian takes
        # each converged solution the rest of the way to the minimum (|grad| ~ 1e-10), so the
        # Hessian's zero modes are not masked by a residual slope.
        from overparam.geometry.landscape import refine

        for k, kind in enumerate(points.kind):
            if kind == "converged":
                params[k] = refine(engine, params[k]).params
    results = point_spectra(engine, ansatz, params)
    records = [{"kind": k, "run": r, "train_loss": float(tl), "polished": bool(polish and k == "converged"), **res}
               for k, r, tl, res in zip(points.kind, points.run, train_losses, results)]
    for rec in records:
        log.info("%s run %d: loss %.3e, QFIM rank %s, Hessian rank %d (index %d)", rec["kind"], rec["run"],
                 rec["loss"], rec["qfim_rank"], rec["hessian_rank"], rec["hessian_index"])
    losses = np.asarray(shard["final_losses"], dtype=float)
    return {
        "model": label or ansatz_name,
        "ansatz": ansatz_name,
        "n": n,
        "layers": layers,
        "options": {k: str(v) for k, v in ansatz.options.items()},
        "n_params": ansatz.n_params,
        "shard": shard_path,
        "runs_in_shard": int(losses.size),
        "converged_in_shard": int(np.count_nonzero(losses < converged_below)),
        "converged_below": converged_below,
        "polish": polish,
        "qfim_tolerance": RTOL["double"],
        "hessian_tolerance": HESSIAN_RTOL,
        "memory_estimate_bytes": need,
        "points": records,
        "seconds": time.perf_counter() - t0,
    }


def cmd_spectra(args: argparse.Namespace) -> dict:
    """Run ``overparam spectra`` and emit its JSON object."""
    from overparam.ansatze import parse_options
    from overparam.cli import _emit, quiet_jax_logging

    quiet_jax_logging()
    payload = spectra_payload(args.ansatz, args.n, args.layers, parse_options(args.opt), args.shard, args.random,
                              args.solutions, args.converged_below, args.max_memory_mb, args.label, args.polish)

    def human(p: dict) -> str:
        return "\n".join(
            f"{r['kind']} run {r['run']}: loss {r['loss']:.3e} QFIM rank {r['qfim_rank']} Hessian rank "
            f"{r['hessian_rank']} index {r['hessian_index']}" for r in p["points"]
        )

    _emit(args, payload, human)
    return payload


# --- landscape ---------------------------------------------------------------------------------


def _point_record(p, kind: str, init: int) -> dict:
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
    from overparam.errors import BadInput
    from overparam.geometry import landscape as ls
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
        points = [ls.refine(engine, x) for x in run.final_params]
        best = min(p.loss for p in points)
        kinds = [ls.classify(p, best, loss_tol) for p in points]
        found[a.layers] = (engine, points, kinds)
        depths.append({
            "layers": a.layers,
            "n_params": a.n_params,
            "best_loss": best,
            "counts": dict(Counter(kinds)),
            "distinct_minima": sorted({round(p.loss, 9) for p, k in zip(points, kinds) if k.endswith("minimum")}),
            "points": [_point_record(p, k, i) for i, (p, k) in enumerate(zip(points, kinds))],
        })
        log.info("layers=%d: %s (best loss %.3e, %.1f s)", a.layers, dict(Counter(kinds)), best, time.perf_counter() - t0)

    eng_s, pts_s, kinds_s = found[under]
    eng_d, pts_d, kinds_d = found[over]
    best_d = depths[1]["best_loss"]
    carried = []
    for i, (p, k) in enumerate(zip(pts_s, kinds_s)):
        if not k.endswith("minimum"):
            continue
        c = ls.evaluate(eng_d, ls.embed_layers(p.params, under, over))
        if abs(c.loss - p.loss) > 1e-9 * max(1.0, abs(p.loss)) or c.grad_norm > 10 * max(p.grad_norm, ls.GRAD_TOL):
            raise BadInput(
                f"ansatz {ansatz_name!r}: a minimum of the {under}-layer model carried into {over} layers by zero-angle "
                f"layers is not a critical point there (loss {p.loss:.3e} -> {c.loss:.3e}, |grad| {c.grad_norm:.1e}); "
                "the landscape comparison needs a periodic ansatz such as tfim-hva"
            )
        rec = _point_record(c, ls.classify(c, best_d, loss_tol), i)
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
    u, v = ls.slice_plane(origin.params, target.params, h_s)
    alphas, betas = np.linspace(-0.6, 1.6, grid), np.linspace(-1.0, 1.0, grid)
    slices = [{
        "layers": under,
        "n_params": shallow.n_params,
        "alphas": alphas.tolist(),
        "betas": betas.tolist(),
        "losses": ls.slice_losses(eng_s, origin.params, u, v, alphas, betas).tolist(),
        "markers": [
            {"label": "spurious minimum", "alpha": 0.0, "beta": 0.0, **_point_record(origin, "spurious minimum", origin_i)},
            {"label": "lowest minimum found", "alpha": 1.0, "beta": 0.0, **_point_record(target, "global minimum", target_i)},
        ],
    }]
    # The deep model: the same spurious minimum carried over (now a saddle). Leave it along its most
    # negative curvature direction and descend to a minimum; slice through saddle and that minimum.
    origin_d = ls.evaluate(eng_d, ls.embed_layers(origin.params, under, over))
    h_d = eng_d.hessian(origin_d.params)
    vals, vecs = np.linalg.eigh(0.5 * (h_d + h_d.T))
    start = origin_d.params + 0.05 * vecs[:, 0]
    run = train(deep, runs=1, steps=steps, lr=lr, seed=seed, engine=eng_d, initial=start[None, :], log=None,
                qsim_check=False)
    target_d = ls.refine(eng_d, run.final_params[0])
    u_d, v_d = ls.slice_plane(origin_d.params, target_d.params, h_d)
    carried_lowest = ls.evaluate(eng_d, ls.embed_layers(target.params, under, over))
    a_l, b_l, off = ls.plane_coordinates(carried_lowest.params, origin_d.params, u_d, v_d)
    slices.append({
        "layers": over,
        "n_params": deep.n_params,
        "alphas": alphas.tolist(),
        "betas": betas.tolist(),
        "losses": ls.slice_losses(eng_d, origin_d.params, u_d, v_d, alphas, betas).tolist(),
        "markers": [
            {"label": "carried spurious minimum", "alpha": 0.0, "beta": 0.0,
             **_point_record(origin_d, ls.classify(origin_d, best_d, loss_tol), origin_i)},
            {"label": "minimum reached from it", "alpha": 1.0, "beta": 0.0,
             **_point_record(target_d, ls.classify(target_d, best_d, loss_tol), origin_i)},
            {"label": "carried lowest minimum", "alpha": a_l, "beta": b_l, "distance_from_plane": off,
             **_point_record(carried_lowest, ls.classify(carried_lowest, best_d, loss_tol), target_i)},
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
        "grad_tol": ls.GRAD_TOL,
        "hessian_rtol": ls.HESSIAN_RTOL,
        "depths": depths,
        "carried": carried,
        "slices": slices,
        "seconds": time.perf_counter() - t0,
    }


def cmd_landscape(args: argparse.Namespace) -> dict:
    """Run ``overparam landscape`` and emit its JSON object."""
    from overparam.ansatze import parse_options
    from overparam.cli import _emit, quiet_jax_logging

    quiet_jax_logging()
    payload = landscape_payload(args.ansatz, args.n, parse_options(args.opt), args.under, args.over, args.inits,
                                args.steps, args.lr, args.seed, args.grid, args.loss_tol, args.label)

    def human(p: dict) -> str:
        lines = [f"layers={d['layers']} M={d['n_params']}: {d['counts']} (best loss {d['best_loss']:.3e})"
                 for d in p["depths"]]
        idx = Counter(c["hessian_index"] for c in p["carried"])
        lines.append(f"carried minima of layers={p['under']} into layers={p['over']}: Hessian index counts {dict(idx)}")
        return "\n".join(lines)

    _emit(args, payload, human)
    return payload


def register(sub: argparse._SubParsersAction, add_ansatz_args, add_common, positive_int) -> None:
    """Add the ``spectra`` and ``landscape`` subcommands."""
    p = sub.add_parser("spectra", help="QFIM and Hessian spectra at a training shard's random and converged points")
    add_ansatz_args(p)
    p.add_argument("--shard", required=True, help="training shard (.npz from 'overparam train --curves') of this ansatz")
    p.add_argument("--random", type=int, default=5, help="random points: the shard's first initial angles (default 5)")
    p.add_argument("--solutions", type=int, default=5, help="converged solutions, lowest loss first (default 5)")
    p.add_argument("--converged-below", type=float, default=1e-4, help="a run is converged below this final loss")
    p.add_argument("--max-memory-mb", type=float, default=None,
                   help="refuse requests estimated above this many MiB (default: half the RAM)")
    p.add_argument("--polish", action="store_true", help="polish converged solutions with trust-region Newton first")
    p.add_argument("--label", help="model name recorded in the output")
    p.add_argument("--out", help="also write the JSON object to this file (atomically)")
    add_common(p)
    p.set_defaults(func=cmd_spectra)

    q = sub.add_parser("landscape", help="critical points and 2-D loss slices of a shallow and a deep model (fig1)")
    q.add_argument("ansatz", help="registered name or package.module:function (periodic layers)")
    q.add_argument("--n", type=positive_int("--n", 2), required=True, help="number of qubits (size parameter)")
    q.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE", help="ansatz option (repeatable)")
    q.add_argument("--under", type=positive_int("--under", 1), required=True, help="layers of the shallow model")
    q.add_argument("--over", type=positive_int("--over", 2), required=True, help="layers of the deep model")
    q.add_argument("--inits", type=positive_int("--inits", 2), default=50, help="initialisations per depth (default 50)")
    q.add_argument("--steps", type=positive_int("--steps", 1), default=2000, help="Adam steps before polishing (default 2000)")
    q.add_argument("--lr", type=float, default=0.01, help="Adam learning rate (default 0.01)")
    q.add_argument("--seed", type=int, default=0, help="base seed of the initialisations (default 0)")
    q.add_argument("--grid", type=positive_int("--grid", 5), default=81, help="grid points per slice axis (default 81)")
    q.add_argument("--loss-tol", type=float, default=1e-9, help="minima within this of the best loss are global")
    q.add_argument("--label", help="model name recorded in the output")
    q.add_argument("--out", help="also write the JSON object to this file (atomically)")
    add_common(q)
    q.set_defaults(func=cmd_landscape)
