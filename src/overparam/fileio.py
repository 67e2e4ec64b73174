"""Atomic file output: a reader never sees a half-written file, an interrupted job leaves none.

Files are written to a temporary name beside the target, flushed to disk and renamed over it, and
get the mode an ordinary ``open(path, "w")`` would give (``0666`` less the umask), not the private
``0600`` of :func:`tempfile.mkstemp`. JSON is standard JSON (RFC 8259): non-finite floats become
``null`` (see :func:`finite_json`), so strict parsers read every file the project writes.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from overparam.errors import BadInput


def _umask() -> int:
    # os.umask can only be read by setting it; put it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` only if the block succeeds.

    The file is fsynced before the rename (and the directory after it), so a crash leaves either the
    old file or the whole new one. Raises :class:`BadInput` if ``path`` is an existing directory.
    """
    path = Path(path)
    if path.is_dir():
        raise BadInput(f"output path {str(path)!r} is a directory; expected a file path")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix or ".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
        _fsync_dir(path.parent)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def finite_json(obj: Any) -> Any:
    """``obj`` with every non-finite float (``inf``, ``-inf``, ``nan``) replaced by ``None``.

    numpy scalars and arrays become Python numbers and lists. Where ``null`` stands for a number its
    meaning is documented with the field (a spectral ``gap`` of ``null``: nothing was dropped, the
    gap is infinite).
    """
    if isinstance(obj, dict):
        return {k: finite_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_json(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return finite_json(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def json_text(obj: Any, indent: int | None = None) -> str:
    """Standard JSON for ``obj`` (no ``Infinity`` or ``NaN``: see :func:`finite_json`)."""
    return json.dumps(finite_json(obj), indent=indent, allow_nan=False)


def write_json(path: str | os.PathLike, obj: Any) -> None:
    """Write ``obj`` as indented standard JSON to ``path`` atomically."""
    write_text(path, json_text(obj, indent=1) + "\n")


def read_json(path: str | os.PathLike) -> Any:
    """Parse the JSON file at ``path`` (errors propagate; callers name the file in their message)."""
    return json.loads(Path(path).read_text())


def read_json_object(path: str | os.PathLike) -> dict:
    """The JSON object in the file at ``path``; :class:`BadInput` naming the file when it is missing,
    empty, truncated, not JSON or not an object."""
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise BadInput(f"{str(path)!r} cannot be read ({getattr(err, 'strerror', None) or err})") from err
    if not text.strip():
        raise BadInput(f"{str(path)!r} is empty; expected a JSON object written by an overparam command")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as err:
        raise BadInput(
            f"{str(path)!r} is not valid JSON (line {err.lineno} column {err.colno}: {err.msg}); "
            "it may be truncated or corrupt"
        ) from err
    if not isinstance(obj, dict):
        raise BadInput(f"{str(path)!r} holds a JSON {type(obj).__name__}; expected a JSON object")
    return obj


def read_npz(path: str | os.PathLike, what: str = "file") -> dict:
    """Every array of the ``.npz`` at ``path``, read eagerly (so a truncated member fails here, not later);
    :class:`BadInput` naming ``what`` and the file when it cannot be read."""
    import zipfile
    import zlib

    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as err:
        detail = getattr(err, "strerror", None) or str(err) or type(err).__name__
        raise BadInput(
            f"{what} {str(path)!r} cannot be read as .npz ({detail}); it may be truncated or corrupt"
        ) from err
