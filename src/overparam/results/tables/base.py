"""What every table module shares: CSV files written atomically, the ``options`` label, and the
split of engine outputs into results and the Lie-algebra bounds they are set beside."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable, Sequence

from overparam.errors import BadInput
from overparam.fileio import read_json_object, write_text


def gap_text(gap: float | None) -> str:
    """A spectral gap for a CSV cell; JSON's ``null`` (nothing dropped below the cut) is ``inf``."""
    return "inf" if gap is None else f"{gap:.6g}"


def options_label(options: dict) -> str:
    """``key=value`` pairs joined by ``;`` (stable order), the ``options`` column of every table."""
    return ";".join(f"{k}={v}" for k, v in sorted(options.items()))


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Write a CSV with a header atomically."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    write_text(path, buf.getvalue())


def read_csv(path: str | Path) -> list[dict[str, str]]:
    """Every row of a CSV with a header, as ``{column: text}``; :class:`BadInput` naming the file when it
    cannot be read, is empty or has rows longer than its header."""
    try:
        with open(path, newline="") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
            header = reader.fieldnames
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise BadInput(f"table {str(path)!r} cannot be read ({getattr(err, 'strerror', None) or err})") from err
    if not header:
        raise BadInput(f"table {str(path)!r} is empty; expected a CSV with a header row")
    for k, row in enumerate(rows, start=2):
        if None in row or None in row.values():
            more = "more" if None in row else "fewer"
            raise BadInput(f"table {str(path)!r} line {k} has {more} cells than its header")
    return rows


def split_outputs(files: Iterable[str | Path]) -> tuple[list[dict], dict[tuple[str, int], dict]]:
    """Engine outputs and the DLA results among them, the latter keyed by ``(model, n)``."""
    data, dla = [], {}
    for path in files:
        obj = read_json_object(path)
        if "dim" in obj and "orbit_dim" in obj:
            dla[(obj.get("model") or obj["ansatz"], int(obj["n"]))] = obj
        else:
            data.append(obj)
    return data, dla


def lie_bounds(dla: dict, model: str, n: int) -> list:
    """``[dim g, orbit dim]`` of ``(model, n)`` from :func:`split_outputs`'s DLA results, or two blanks."""
    entry = dla.get((model, int(n)))
    return [entry["dim"], entry["orbit_dim"]] if entry else ["", ""]
