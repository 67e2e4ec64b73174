"""Add newly classified configurations to the committed failures tables, replacing any already there.

The per-configuration classification JSONs of a sweep that runs over several sessions need not all
exist at once: this writes the rows of the given JSONs (:func:`overparam.results.tables.failures.failures_rows`
and :func:`~overparam.results.tables.failures.failures_summary_rows`, the same functions as
``overparam table failures`` / ``failures_summary``) into ``failures.csv`` and ``failures_summary.csv``
of TABLE_DIR, dropping the rows of the same (experiment, model, n, M) and keeping the tables' order.
The figure then reads the summary table (``overparam figure failures … --data …/failures_summary.csv``).

    python docs/failures/add_configurations.py TABLE_DIR CLASSIFICATION.json … DLA.json …
"""

import csv
import io
import sys
from pathlib import Path

from overparam.errors import BadInput
from overparam.fileio import read_json_object
from overparam.results.tables.base import write_csv
from overparam.results.tables.failures import (
    FAILURES_HEADER,
    SUMMARY_HEADER,
    failures_rows,
    failures_summary_rows,
)

KEY = ("experiment", "model", "n", "n_params")


def _as_text(rows: list[list]) -> list[list[str]]:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return list(csv.reader(io.StringIO(buf.getvalue())))


def _merge(path: Path, header: tuple, new_rows: list[list]) -> tuple[int, int]:
    with open(path, newline="") as fh:
        reader = csv.reader(fh)
        old_header, *old = list(reader)
    if tuple(old_header) != header:
        raise BadInput(f"{path}: header {old_header!r} is not the table's {list(header)!r}")
    at = [header.index(k) for k in KEY]
    new = _as_text(new_rows)
    replaced = {tuple(r[i] for i in at) for r in new}
    kept = [r for r in old if tuple(r[i] for i in at) not in replaced]
    merged = sorted(kept + new, key=lambda r: (r[at[0]], r[at[1]], int(r[at[2]]), int(r[at[3]])))
    write_csv(path, header, merged)
    return len(old) - len(kept), len(new)


def main(argv: list[str]) -> int:
    usage = "usage: add_configurations.py TABLE_DIR CLASSIFICATION.json … DLA.json …"
    if len(argv) < 2:
        print(f"add_configurations.py: arguments {argv!r} not understood; {usage}", file=sys.stderr)
        return 2
    tables, files = Path(argv[0]), argv[1:]
    try:
        for f in files:
            obj = read_json_object(f)
            if not ("results" in obj and "counts" in obj) and "dim" not in obj:
                raise BadInput(f"{f}: neither a classification result (overparam classify) nor a DLA result "
                               "(overparam dla)")
        for name in ("failures.csv", "failures_summary.csv"):
            if not (tables / name).is_file():
                raise BadInput(f"TABLE_DIR {str(tables)!r} has no {name}; expected docs/failures")
        for name, header, rows in (("failures.csv", FAILURES_HEADER, failures_rows(files)),
                                   ("failures_summary.csv", SUMMARY_HEADER, failures_summary_rows(files))):
            dropped, added = _merge(tables / name, header, rows)
            print(f"{tables / name}: {added} rows written, {dropped} replaced")
    except BadInput as exc:
        print(f"add_configurations.py: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
