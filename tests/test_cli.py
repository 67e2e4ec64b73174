import argparse
import json
import os
import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "overparam"]
# Every test here starts `python -m overparam` (seconds of imports each): slow, left out of make test-fast.
pytestmark = pytest.mark.slow


def run(*args, env=None):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=300)


def test_qfim_json_contract():
    out = run("qfim", "tfim-hva", "--n", "4", "--layers", "4", "--opt", "boundary=periodic", "--samples", "3", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)  # stdout is exactly one JSON object
    for key in ("n_params", "ranks", "max_rank", "spectra", "tolerance"):
        assert key in data
    assert data["n_params"] == 8
    assert len(data["ranks"]) == 3 and len(data["spectra"]) == 3
    assert data["max_rank"] == max(data["ranks"])
    assert all(len(s) == 8 and s == sorted(s, reverse=True) for s in data["spectra"])


def test_same_seed_same_numbers():
    args = ("qfim", "tfim-hva", "--n", "4", "--layers", "3", "--samples", "2", "--seed", "7", "--json", "--backend", "cirq")
    a, b = json.loads(run(*args).stdout), json.loads(run(*args).stdout)
    assert a["spectra"] == b["spectra"]


def test_ansatz_list_json():
    out = run("ansatz", "list", "--json")
    assert out.returncode == 0
    entries = {e["name"]: e for e in json.loads(out.stdout)["ansaetze"]}
    assert {o["name"] for o in entries["tfim-hva"]["options"]} == {"boundary", "g"}
    assert entries["tfim-hva"]["description"]


# Every bad value is checked in process by tests/test_bad_input.py; these two prove the behaviour of
# the installed command as a process (exit status 2, one stderr line, nothing on stdout) for an
# argparse-level error and one raised after the arguments parsed.
@pytest.mark.parametrize(
    "args, needle",
    [
        (("qfim", "tfim-hva", "--n", "four", "--layers", "2"), "'four'"),
        (("qfim", "nomodule_xyz:f", "--n", "4", "--layers", "2"), "nomodule_xyz"),
    ],
)
def test_bad_input_exit_2_one_line(args, needle):
    out = run(*args, "--json")
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert needle in lines[0]
    assert out.stdout == ""


def test_user_ansatz_on_pythonpath(tmp_path, monkeypatch, capsys):
    (tmp_path / "qnn_cli_mod.py").write_text(
        "import cirq, sympy\n"
        "def hea(n, layers, entangler='cz'):\n"
        "    qs = cirq.LineQubit.range(n)\n"
        "    c = cirq.Circuit()\n"
        "    for l in range(layers):\n"
        "        c.append(cirq.ry(sympy.Symbol(f'y{l}_{i}')).on(q) for i, q in enumerate(qs))\n"
        "        c.append(cirq.CZ(qs[i], qs[i + 1]) for i in range(n - 1))\n"
        "    return c\n"
    )
    # In process (the module found on sys.path, as PYTHONPATH puts it there); the command as a process
    # is proven by the tests above.
    from overparam.cli import main

    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["qfim", "qnn_cli_mod:hea", "--n", "3", "--layers", "2", "--samples", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_params"] == 6 and 0 < data["max_rank"] <= 6
    assert main(["qfim", "qnn_cli_mod:hea", "--n", "3", "--layers", "2", "--opt", "entangler=cx", "--opt", "x=1"]) == 2
    assert "'x'" in capsys.readouterr().err


def _action(parser, command, dest):
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    return next(a for a in sub._actions if a.dest == dest)


def test_runs_is_the_number_of_runs_and_seeds_its_alias():
    from overparam.cli import build_parser

    parser = build_parser()
    base = ["train", "tfim-hva", "--n", "4", "--layers", "2"]
    assert parser.parse_args(base).runs == 10
    assert parser.parse_args(base + ["--runs", "3"]).runs == 3
    assert parser.parse_args(base + ["--seeds", "3"]).runs == 3
    assert parser.parse_args(base + ["--seeds", "3", "--seed", "7"]).seed == 7


def test_every_depth_list_uses_the_one_layers_parser():
    from overparam.cli import build_parser
    from overparam.cli.common import layer_list

    parser = build_parser()
    for command in ("qfim-sweep", "noisy-qfim", "hardware-qfim", "train"):
        assert _action(parser, command, "layers").type is layer_list, command
    assert layer_list("1, 2,3") == [1, 2, 3]
    for bad in ("", "0,1", "1,x"):
        with pytest.raises(argparse.ArgumentTypeError, match="--layers"):
            layer_list(bad)
