"""Atomic outputs: umask-honouring modes, standard JSON, refusal of a directory as the target."""

import json
import math
import os
import stat

import numpy as np
import pytest

from overparam.errors import BadInput
from overparam.fileio import finite_json, json_text, read_json, write_json, write_text


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_outputs_honour_the_umask(tmp_path, mask, mode):
    old = os.umask(mask)
    try:
        write_text(tmp_path / "a.txt", "x")
        write_json(tmp_path / "b.json", {"a": 1})
    finally:
        os.umask(old)
    for name in ("a.txt", "b.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.json"]


def test_json_is_standard_non_finite_becomes_null(tmp_path):
    obj = {"gap": float("inf"), "x": [1.5, -math.inf, float("nan")], "a": np.array([np.inf, 2.0]), "k": np.int64(3)}
    write_json(tmp_path / "s.json", obj)
    text = (tmp_path / "s.json").read_text()
    assert "Infinity" not in text and "NaN" not in text

    def strict(token):
        raise ValueError(token)

    parsed = json.loads(text, parse_constant=strict)
    assert parsed == {"gap": None, "x": [1.5, None, None], "a": [None, 2.0], "k": 3}
    assert read_json(tmp_path / "s.json") == parsed
    assert finite_json((1, 2)) == [1, 2]
    assert json_text({"g": -np.inf}) == '{"g": null}'


def test_directory_as_output_is_bad_input(tmp_path):
    with pytest.raises(BadInput, match="is a directory"):
        write_text(tmp_path, "x")


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path):
    from overparam.fileio import atomic_path

    target = tmp_path / "t.txt"
    write_text(target, "old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.txt"]
