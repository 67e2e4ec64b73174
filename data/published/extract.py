#!/usr/bin/env python3
"""Extract the published results of Larocca et al. (2023) from a local copy of the authors' repository.

Usage::

    python data/published/extract.py /path/to/Theory-of-overparametrization [--out data/published]

The argument is a local clone (a work tree) of the authors' public repository
``DiegoGM91/Theory-of-overparametrization`` checked out at the pinned commit below. The script reads
only that directory (nothing is downloaded) and writes compact tables next to itself:

* ``training.csv``: one row per training configuration of fig. 3 (TFIM, both boundaries), supp.
  fig. 4 (QAQC) and supp. fig. 5 (autoencoder): runs, successes (final loss below 1e-4), runs that
  went below 1e-4 at some step, and summary losses.
* ``runs.csv.gz``: one row per training run: final loss, lowest loss, first step below 1e-4.
* ``ranks.csv``: one row per published QFIM or Hessian spectrum, with the numerical rank counted at a
  stated relative tolerance and the gap around the cut.
* ``spectra.csv.gz``: every published spectrum, one row per spectrum, the eigenvalues in ascending
  order joined by ``;`` (for overlays).

Every row carries the path of the raw file(s) it came from, relative to the repository root, and the
commit. A missing directory, a directory that is not a git work tree, or another commit is refused
with exit status 2 and one line on stderr, before anything is read.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

PINNED_COMMIT = "78601d2625f69675091daf89e1c70f593c77aeab"
REPOSITORY = "DiegoGM91/Theory-of-overparametrization"

# The paper's success criterion: the loss after the last Adam step is below this value.
SUCCESS_THRESHOLD = 1e-4
# Numerical-rank cuts, the project's own (overparam.geometry.rank): eigenvalues above
# rtol * lambda_max for a QFIM built from double-precision states; |lambda| above rtol * max|lambda|
# for a Hessian at a trained solution (its null eigenvalues are only as small as the solution is
# converged).
QFIM_RTOL = 1e-10
HESSIAN_RTOL = 1e-5
# Adam steps of the published protocol per experiment (the loss records hold one more entry).
PROTOCOL_STEPS = {"fig3": 3000, "supp4": 3000, "supp5": 2000}

TRAINING_HEADER = [
    "experiment", "model", "n", "layers", "n_params", "runs", "successes", "reached_at_some_step",
    "threshold", "steps", "other_runs", "best_final_loss", "median_final_loss", "worst_final_loss",
    "median_lowest_loss", "source", "commit",
]
RUNS_HEADER = [
    "experiment", "model", "n", "layers", "run", "steps", "initial_loss", "final_loss", "lowest_loss",
    "first_step_below", "returns_above", "steps_above_after", "source", "commit",
]
RANKS_HEADER = [
    "experiment", "model", "n", "layers", "n_params", "point", "sample", "kind", "noise", "size", "rank",
    "rel_tolerance", "max_eigenvalue", "smallest_kept", "largest_dropped", "note", "source", "commit",
]
SPECTRA_HEADER = [
    "experiment", "model", "n", "layers", "point", "sample", "kind", "noise", "eigenvalues", "source", "commit",
]


class BadInput(ValueError):
    """The repository path or its commit is not the one the tables are pinned to."""


# ---------------------------------------------------------------- parameter counts of the models


def tfim_params(layers: int) -> int:
    """Two shared angles per HVA layer (one for every ZZ term, one for every X rotation)."""
    return 2 * layers


def hea_params(n: int, layers: int) -> int:
    """The authors' HEA: RY+RX on every qubit, then per layer 2n + 2(n-2) rotations."""
    return 2 * n + 2 * layers * (2 * n - 2)


# ---------------------------------------------------------------- file-name patterns of raw_data/

FIG3_LOSS = re.compile(
    r"raw_data/fig_3/(?P<n>\d+)qubits/(?P<bc>periodic|non-periodic)/loss/"
    r"vha_loss_record_(?P=n)q_(?P<layers>\d+)p(?:_periodic)?_(?P<run>\d+)i\.npy"
)
SUPP4_LOSS = re.compile(
    r"raw_data/sup_fig_4/(?P<n>\d+)qubits/loss/hea_loss_record_(?P=n)q_(?P<layers>\d+)l_(?P<run>\d+)i\.npy"
)
SUPP5_LOSS = re.compile(
    r"raw_data/sup_fig_5/loss/autoencoder_loss_record_(?P<n>\d+)q_(?P<layers>\d+)l_(?P<run>\d+)i\.npy"
)

TFIM_SPECTRUM = re.compile(
    r"raw_data/(?P<folder>fig_4|sup_fig_1)/(?P<n>\d+)qubits/(?P<bc>periodic|non-periodic)/(?:hessian|qfim)/"
    r"vha_(?P<kind>hess|qfim)_spectrum_(?P=n)q_(?P<layers>\d+)p(?:_periodic)?_(?P<sample>\d+)(?P<point>i|random)\.npy"
)
SUPP2_SPECTRUM = re.compile(
    r"raw_data/sup_fig_2/(?P<n>\d+)qubits/qfim_random_spectrum_(?P=n)q_(?P<layers>\d+)p(?P<periodic>_periodic)?_"
    r"(?P<sample>\d+)\.npy"
)
SUPP4_SPECTRUM = re.compile(
    r"raw_data/sup_fig_4/(?P<n>\d+)qubits/(?:hessian|qfim)/hea_(?P<kind>hess|qfim)_spectrum_(?P=n)q_(?P<layers>\d+)l_"
    r"(?P<sample>\d+)(?P<point>i|random)(?P<bis>_bis)?\.npy"
)
SUPP5_SPECTRUM = re.compile(
    r"raw_data/sup_fig_5/qfim/autoencoder_qfim_spectrum_(?P<n>\d+)q_(?P<layers>\d+)l_(?P<sample>\d+)state\.npy"
)
EXT1_SPECTRUM = re.compile(
    r"raw_data/extended_fig_1/(?P<n>\d+)qubits/qfim_spectrum_(?P=n)q_(?P<layers>\d+)p_(?P<level>[0-9.]+)"
    r"(?P<noise>local_dep_noise|global_dep_noise|noise)_(?P<seed>\d+)seed\.npy"
)

BOUNDARY_MODEL = {"periodic": "tfim-periodic", "non-periodic": "tfim-open"}
POINT = {"i": "solution", "random": "random"}
KIND = {"hess": "hessian", "qfim": "qfim"}


# ---------------------------------------------------------------- checks on the input


def check_repository(path: Path) -> str:
    """The commit of the work tree at ``path``; ``BadInput`` unless it is the pinned one."""
    if not path.is_dir():
        raise BadInput(f"repository path {str(path)!r} is not a directory; give a local clone of {REPOSITORY}")
    try:
        proc = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "--show-toplevel", "HEAD"],
            capture_output=True, text=True, check=False,
        )
    except FileNotFoundError as exc:  # no git on the machine
        raise BadInput(f"cannot run git to read the commit of {str(path)!r}: {exc}") from exc
    lines = proc.stdout.split()
    if proc.returncode != 0 or len(lines) != 2:
        raise BadInput(f"repository path {str(path)!r} is not a git work tree; give a local clone of {REPOSITORY}")
    top, commit = Path(lines[0]).resolve(), lines[1]
    if top != path.resolve():
        raise BadInput(f"repository path {str(path)!r} is inside the work tree {str(top)!r}; give its root")
    if commit != PINNED_COMMIT:
        raise BadInput(f"commit {commit} of {str(path)!r} is not the pinned commit {PINNED_COMMIT}; check it out first")
    if not (path / "raw_data").is_dir():
        raise BadInput(f"{str(path)!r} has no raw_data/ directory; give a local clone of {REPOSITORY}")
    return commit


def raw_files(root: Path) -> list[str]:
    """Every ``.npy`` under ``raw_data/``, as POSIX paths relative to ``root``, sorted."""
    return sorted(p.relative_to(root).as_posix() for p in (root / "raw_data").rglob("*.npy"))


# ---------------------------------------------------------------- training tables


def _fmt(x: float) -> str:
    return f"{x:.6e}"


def _pattern(paths: list[str], run_token: str) -> str:
    """One path with the run number replaced by ``*`` (all paths of a configuration share it)."""
    stems = {re.sub(run_token, "_*i.npy", p) for p in paths}
    if len(stems) != 1:
        raise ValueError(f"configuration files do not share one pattern: {sorted(stems)[:3]}")
    return stems.pop()


def training_tables(root: Path, files: list[str], commit: str) -> tuple[list[list], list[list]]:
    """Per-configuration and per-run rows of the three training experiments."""
    groups: dict[tuple, list[tuple[int, str]]] = defaultdict(list)
    for path in files:
        if m := FIG3_LOSS.fullmatch(path):
            n, layers = int(m["n"]), int(m["layers"])
            groups[("fig3", BOUNDARY_MODEL[m["bc"]], n, layers, tfim_params(layers))].append((int(m["run"]), path))
        elif m := SUPP4_LOSS.fullmatch(path):
            n, layers = int(m["n"]), int(m["layers"])
            groups[("supp4", "qaqc", n, layers, hea_params(n, layers))].append((int(m["run"]), path))
        elif m := SUPP5_LOSS.fullmatch(path):
            n, layers = int(m["n"]), int(m["layers"])
            groups[("supp5", "autoencoder", n, layers, hea_params(n, layers))].append((int(m["run"]), path))
    order = {"fig3": 0, "supp4": 1, "supp5": 2}
    config_rows, run_rows = [], []
    for key in sorted(groups, key=lambda k: (order[k[0]], k[1], k[2], k[3])):
        experiment, model, n, layers, n_params = key
        protocol = PROTOCOL_STEPS[experiment]
        finals, lowest, paths, other = [], [], [], 0
        for run, path in sorted(groups[key]):
            record = np.load(root / path)
            if record.ndim != 1 or record.size < 2 or not np.all(np.isfinite(record)):
                raise ValueError(f"{path}: expected a finite 1-d loss record, got shape {record.shape}")
            # The record holds the loss before each Adam step and, last, the loss after the final
            # step (qibo's sgd evaluates the loss once more at the parameters it returns).
            steps = record.size - 1
            below = np.flatnonzero(record < SUCCESS_THRESHOLD)
            # After first going below the threshold, how often the loss came back above it (Adam at a
            # fixed rate kicking a converged run) and for how many recorded steps it stayed above.
            after = record[below[0]:] >= SUCCESS_THRESHOLD if below.size else np.zeros(0, dtype=bool)
            returns = int(np.count_nonzero(after[1:] & ~after[:-1])) if below.size else ""
            run_rows.append([
                experiment, model, n, layers, run, steps, _fmt(record[0]), _fmt(record[-1]), _fmt(record.min()),
                int(below[0]) if below.size else "", returns, int(after.sum()) if below.size else "", path,
                commit,
            ])
            if steps != protocol:
                # A shorter extra run (the one whose solution gave the published Hessian) is kept in
                # runs.csv.gz but not counted: the published fractions are over the protocol's runs.
                other += 1
                continue
            finals.append(float(record[-1]))
            lowest.append(float(record.min()))
            paths.append(path)
        finals_a, lowest_a = np.array(finals), np.array(lowest)
        config_rows.append([
            experiment, model, n, layers, n_params, len(finals), int((finals_a < SUCCESS_THRESHOLD).sum()),
            int((lowest_a < SUCCESS_THRESHOLD).sum()), SUCCESS_THRESHOLD, protocol, other,
            _fmt(finals_a.min()), _fmt(np.median(finals_a)), _fmt(finals_a.max()), _fmt(np.median(lowest_a)),
            _pattern(paths, r"_\d+i\.npy$"), commit,
        ])
    return config_rows, run_rows


# ---------------------------------------------------------------- spectra and ranks


def spectrum_rank(values: np.ndarray, kind: str) -> tuple[int, float, float, float, float]:
    """Rank, tolerance, largest eigenvalue, smallest kept and largest dropped (relative to the largest)."""
    values = np.sort(np.asarray(values, dtype=float))
    if kind == "hessian":
        scale = float(np.abs(values).max())
        rtol, mags = HESSIAN_RTOL, np.abs(values)
    else:
        scale = float(values.max())
        rtol, mags = QFIM_RTOL, values
    if scale <= 0:
        return 0, rtol, scale, float("nan"), float("nan")
    kept, dropped = mags[mags > rtol * scale], mags[mags <= rtol * scale]
    smallest_kept = float(kept.min() / scale) if kept.size else float("nan")
    largest_dropped = float(np.abs(dropped).max() / scale) if dropped.size else float("nan")
    return int(kept.size), rtol, scale, smallest_kept, largest_dropped


def _spectrum_key(path: str) -> dict | None:
    """What one spectrum file is: experiment, model, n, layers, point, sample, kind, noise."""
    if m := TFIM_SPECTRUM.fullmatch(path):
        layers = int(m["layers"])
        return dict(
            experiment="fig4" if m["folder"] == "fig_4" else "supp1", model=BOUNDARY_MODEL[m["bc"]], n=int(m["n"]),
            layers=layers, n_params=tfim_params(layers), point=POINT[m["point"]], sample=m["sample"],
            kind=KIND[m["kind"]], noise="none",
        )
    if m := SUPP2_SPECTRUM.fullmatch(path):
        layers = int(m["layers"])
        return dict(
            experiment="supp2", model="tfim-periodic" if m["periodic"] else "tfim-open", n=int(m["n"]),
            layers=layers, n_params=tfim_params(layers), point="random", sample=m["sample"], kind="qfim",
            noise="none",
        )
    if m := SUPP4_SPECTRUM.fullmatch(path):
        n, layers = int(m["n"]), int(m["layers"])
        return dict(
            experiment="supp4", model="qaqc", n=n, layers=layers, n_params=hea_params(n, layers),
            point=POINT[m["point"]], sample=m["sample"] + (m["bis"] or ""), kind=KIND[m["kind"]], noise="none",
        )
    if m := SUPP5_SPECTRUM.fullmatch(path):
        n, layers = int(m["n"]), int(m["layers"])
        # One QFIM spectrum per training state (the state the circuit acts on); the raw data do not
        # say at which parameters, so the point is left as stated by the file name only.
        return dict(
            experiment="supp5", model="autoencoder", n=n, layers=layers, n_params=hea_params(n, layers),
            point="unstated", sample=f"state{m['sample']}", kind="qfim", noise="none",
        )
    if m := EXT1_SPECTRUM.fullmatch(path):
        layers = int(m["layers"])
        noise = "none" if m["noise"] == "noise" else f"{m['noise'].replace('_noise', '')}={m['level']}"
        if m["noise"] == "noise" and float(m["level"]) != 0:
            raise ValueError(f"{path}: a noiseless file name with a non-zero level")
        return dict(
            experiment="ext1", model="tfim-periodic", n=int(m["n"]), layers=layers, n_params=tfim_params(layers),
            point="random", sample=f"seed{m['seed']}", kind="qfim", noise=noise,
        )
    return None


def _layers_from_size(key: dict, size: int, path: str) -> tuple[dict, str]:
    """The depth of an HEA spectrum whose file name states another depth than its size implies."""
    n = key["n"]
    layers, rest = divmod(size - 2 * n, 2 * (2 * n - 2))
    if key["model"] not in ("qaqc", "autoencoder") or rest or layers < 1:
        raise ValueError(f"{path}: {size} eigenvalues for {key['n_params']} parameters")
    note = f"file name says L = {key['layers']}; its {size} eigenvalues are the M of L = {layers}"
    return {**key, "layers": layers, "n_params": size}, note


def spectra_tables(root: Path, files: list[str], commit: str) -> tuple[list[list], list[list]]:
    """One rank row and one spectrum row per published spectrum file."""
    order = {"fig4": 0, "supp1": 1, "supp2": 2, "supp4": 3, "supp5": 4, "ext1": 5}
    found = []
    for path in files:
        key = _spectrum_key(path)
        if key is not None:
            found.append((key, path))
    found.sort(key=lambda kp: (order[kp[0]["experiment"]], kp[0]["model"], kp[0]["n"], kp[0]["layers"],
                               kp[0]["kind"], kp[0]["point"], kp[0]["noise"], kp[0]["sample"]))
    rank_rows, spectrum_rows = [], []
    for key, path in found:
        values = np.load(root / path)
        if values.ndim != 1 or not np.all(np.isfinite(values)):
            raise ValueError(f"{path}: expected a finite 1-d spectrum, got shape {values.shape}")
        note = ""
        if values.size != key["n_params"]:
            key, note = _layers_from_size(key, values.size, path)
        rank, rtol, scale, kept, dropped = spectrum_rank(values, key["kind"])
        rank_rows.append([
            key["experiment"], key["model"], key["n"], key["layers"], key["n_params"], key["point"], key["sample"],
            key["kind"], key["noise"], values.size, rank, rtol, _fmt(scale), _fmt(kept), _fmt(dropped), note, path,
            commit,
        ])
        spectrum_rows.append([
            key["experiment"], key["model"], key["n"], key["layers"], key["point"], key["sample"], key["kind"],
            key["noise"], ";".join(f"{v:.5e}" for v in np.sort(values)), path, commit,
        ])
    return rank_rows, spectrum_rows


# ---------------------------------------------------------------- output


def _csv_text(header: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write_atomic(path: Path, header: list[str], rows: list[list]) -> None:
    """Write a CSV (gzip-compressed when the name ends in .gz, with a fixed timestamp) atomically."""
    text = _csv_text(header, rows).encode()
    if path.suffix == ".gz":
        # mtime=0: the same input gives byte-identical output.
        text = gzip.compress(text, compresslevel=9, mtime=0)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the tables are for every reader
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repository", help=f"local clone (work tree) of {REPOSITORY} at commit {PINNED_COMMIT}")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent), help="output directory")
    args = parser.parse_args(argv)
    root, out = Path(args.repository), Path(args.out)
    try:
        commit = check_repository(root)
        if not out.is_dir():
            raise BadInput(f"output directory {str(out)!r} does not exist")
    except BadInput as exc:
        print(f"extract.py: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    files = raw_files(root)
    config_rows, run_rows = training_tables(root, files, commit)
    rank_rows, spectrum_rows = spectra_tables(root, files, commit)
    write_atomic(out / "training.csv", TRAINING_HEADER, config_rows)
    write_atomic(out / "runs.csv.gz", RUNS_HEADER, run_rows)
    write_atomic(out / "ranks.csv", RANKS_HEADER, rank_rows)
    write_atomic(out / "spectra.csv.gz", SPECTRA_HEADER, spectrum_rows)
    print(
        f"extract.py: {len(config_rows)} configurations ({len(run_rows)} runs), {len(rank_rows)} spectra "
        f"from {REPOSITORY}@{commit[:12]} -> {out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
