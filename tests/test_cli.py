"""The ``bipnn`` command line: usage, exit codes, model reading, output formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pulp
import pytest

from bipnn_backends import __version__, cli
from bipnn_backends.cli import main
from bipnn_backends.formats import solution
from models import tiny


def write(p: pulp.LpProblem, path, **kw) -> str:
    p.writeMPS(str(path), **kw)
    return str(path)


def test_version_and_help(capsys):
    assert main(["--version"]) == 0
    assert f"bipnn {__version__}" in capsys.readouterr().out
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "solve" in out and "exit codes" in out
    assert main(["solve", "--help"]) == 0
    assert "--time-limit" in capsys.readouterr().out


def test_usage_errors_exit_2(tmp_path, capsys):
    model = write(tiny(), tmp_path / "m.mps", with_objsense=True)
    assert main([]) == solution.EXIT_USAGE
    assert main(["solve"]) == solution.EXIT_USAGE
    assert main(["solve", model, "--option", "bogus=1"]) == solution.EXIT_USAGE
    assert "bogus" in capsys.readouterr().err
    assert main(["solve", model, "--option", "restarts=0"]) == solution.EXIT_USAGE
    assert main(["solve", model, "--option", "novalue"]) == solution.EXIT_USAGE


def test_bad_models_exit_3(tmp_path, capsys):
    assert main(["solve", str(tmp_path / "missing.mps")]) == solution.EXIT_BAD_MODEL
    lp = tmp_path / "m.lp"
    tiny().writeLP(str(lp))
    assert main(["solve", str(lp)]) == solution.EXIT_BAD_MODEL
    assert "MPS" in capsys.readouterr().err
    garbage = tmp_path / "g.mps"
    garbage.write_text("ROWS\n N OBJ\nCOLUMNS\n x NOSUCHROW 1\n")
    assert main(["solve", str(garbage)]) == solution.EXIT_BAD_MODEL
    p = tiny()
    z = p.add_variable("z", 0, None, cat="Integer")  # stays unbounded, the optimum does not: an error naming it
    z2 = p.add_variable("z2", 0, None, cat="Integer")
    p.objective += z - z2
    p += z >= 1, "zlow"
    p += z - z2 <= 1, "gap"
    assert main(["solve", write(p, tmp_path / "c.mps", with_objsense=True)]) == solution.EXIT_BAD_MODEL
    assert "'z'" in capsys.readouterr().err
    p = tiny()
    z = p.add_variable("z", 0, None, cat="Integer")  # grows for ever: proven unbounded (not a model error)
    p.objective += z
    p += z >= 1, "zlow"
    assert main(["solve", write(p, tmp_path / "u.mps", with_objsense=True)]) == solution.EXIT_UNBOUNDED


def test_optimal_text_solution_and_summary(tmp_path, capsys):
    model = write(tiny(), tmp_path / "m.mps", with_objsense=True)
    out = tmp_path / "sol.txt"
    assert main(["solve", model, "--solution", str(out), "--seed", "1", "--device", "cpu"]) == solution.EXIT_OK
    summary = capsys.readouterr().out
    assert "optimal" in summary and "objective  12" in summary  # the MPS file drops the constant 7
    lines = out.read_text().splitlines()
    assert lines[:3] == ["solution_status optimal", "termination proven", "objective 12"]
    assert lines[3] == "time_limit_reached false" and lines[4].startswith("message ")
    assert lines[5] == "values 6"
    values = dict(line.split() for line in lines[6:])
    assert values == {"x0": "0", "x1": "0", "x2": "1", "x3": "1", "x4": "1", "y": "0"}


def test_json_output(tmp_path, capsys):
    model = write(tiny(), tmp_path / "m.mps", with_objsense=True)
    assert main(["solve", model, "--json"]) == solution.EXIT_OK
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "bipnn-solution" and doc["solution_status"] == "optimal" and doc["objective"] == 12
    assert doc["values"]["x4"] == 1 and "time_total" in doc["stats"]


@pytest.mark.parametrize("objsense", [True, False])
def test_maximisation_is_read_back(tmp_path, capsys, objsense):
    """OBJSENSE MAX, and PuLP's own default writer (a *SENSE comment), both keep the sense."""
    model = write(tiny(), tmp_path / "m.mps", with_objsense=objsense)
    assert main(["solve", model, "--json"]) == solution.EXIT_OK
    assert json.loads(capsys.readouterr().out)["objective"] == 12


def test_one_line_objsense_minimise(tmp_path, capsys):
    model = tmp_path / "min.mps"
    model.write_text("NAME m\nOBJSENSE MIN\nROWS\n N OBJ\n G c\nCOLUMNS\n"
                     "    MARKER 'MARKER' 'INTORG'\n x OBJ 2 c 1\n y OBJ 3 c 1\n    MARKER 'MARKER' 'INTEND'\n"
                     "RHS\n RHS c 1\nBOUNDS\n BV BND x\n BV BND y\nENDATA\n")
    assert main(["solve", str(model), "--json"]) == solution.EXIT_OK
    doc = json.loads(capsys.readouterr().out)
    assert doc["objective"] == 2 and doc["values"] == {"x": 1, "y": 0}


def test_infeasible_exits_4_and_no_solution_exits_5(tmp_path, capsys):
    p = tiny()
    x = p.variablesDict()
    p += x["x0"] + x["x1"] >= 3, "impossible"
    out = tmp_path / "sol.txt"
    assert main(["solve", write(p, tmp_path / "inf.mps"), "--solution", str(out), "--quiet"]) == solution.EXIT_INFEASIBLE
    assert out.read_text().splitlines()[:2] == ["solution_status infeasible", "termination proven"]
    assert "values 0" in out.read_text()
    q = pulp.LpProblem("clash", pulp.LpMinimize)
    y = [q.add_variable(f"y{i}", cat="Binary") for i in range(20)]
    q += pulp.lpSum(y)
    q += pulp.lpSum(y) == 10, "ten"
    q += pulp.lpSum(y[:19]) + 2 * y[19] == 12, "twelve_ish"
    q += pulp.lpSum(y[:10]) == 10, "first_ten"
    assert main(["solve", write(q, tmp_path / "clash.mps"), "--time-limit", "1", "--json"]) == solution.EXIT_NO_SOLUTION
    doc = json.loads(capsys.readouterr().out)
    assert doc["solution_status"] == "none" and doc["values"] is None and doc["objective"] is None


def test_options_file_and_warm_start(tmp_path, capsys):
    model = write(tiny(), tmp_path / "m.mps", with_objsense=True)
    opts = tmp_path / "o.json"
    opts.write_text(json.dumps({"time_limit": 2, "seed": 5, "warm_start": {"x0": 1}, "exhaustive_limit": 16}))
    assert main(["solve", model, "--options", str(opts), "--quiet"]) == solution.EXIT_OK
    opts.write_text(json.dumps({"warm_start": {"nope": 1}}))
    assert main(["solve", model, "--options", str(opts), "--quiet"]) == solution.EXIT_USAGE
    opts.write_text("[1, 2]")
    assert main(["solve", model, "--options", str(opts)]) == solution.EXIT_USAGE


def test_console_script_and_module(tmp_path):
    model = write(tiny(), tmp_path / "m.mps", with_objsense=True)
    script = os.path.join(os.path.dirname(sys.executable), "bipnn")
    commands = [[sys.executable, "-m", "bipnn_backends.cli"]]
    if os.path.exists(script):
        commands.append([script])
    for cmd in commands:
        done = subprocess.run(cmd + ["solve", model, "--json"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["solution_status"] == "optimal"
    done = subprocess.run(commands[0] + ["solve", str(tmp_path / "missing.mps")], capture_output=True, text=True)
    assert done.returncode == solution.EXIT_BAD_MODEL and "no such model file" in done.stderr


# -- defects: paths and files checked before the solve ------------------------------------------
def test_unwritable_solution_path_exits_2_before_solving(tmp_path, capsys, monkeypatch):
    import bipnn_backends.cli as cli

    model = write(tiny(), tmp_path / "m.mps", with_objsense=True)
    monkeypatch.setattr(cli, "solve", lambda *a, **k: pytest.fail("solved before checking --solution"))
    missing_dir = tmp_path / "no" / "such" / "dir" / "sol.json"
    assert main(["solve", model, "--solution", str(missing_dir)]) == solution.EXIT_USAGE
    err = capsys.readouterr().err
    assert "cannot write the solution to" in err and "Traceback" not in err
    assert not missing_dir.parent.exists()


@pytest.mark.parametrize("content, text", [
    (b"", "the file is empty"),
    (b"hello world\nthis is not a model\n", "has no ROWS or COLUMNS section"),
    (b"\x00\x01\xff\xfe" * 100, "not text"),
])
def test_garbage_or_empty_model_is_a_clear_error(tmp_path, capsys, content, text):
    model = tmp_path / "bad.mps"
    model.write_bytes(content)
    assert main(["solve", str(model)]) == solution.EXIT_BAD_MODEL
    err = capsys.readouterr().err
    assert "not an MPS model" in err and text in err and "no variables" not in err


def test_gzipped_mps_is_read(tmp_path, capsys):
    import gzip

    model = write(tiny(), tmp_path / "m.mps", with_objsense=True)
    gz = tmp_path / "m.mps.gz"
    gz.write_bytes(gzip.compress(open(model, "rb").read()))
    assert main(["solve", str(gz), "--json", "--seed", "1"]) == solution.EXIT_OK
    doc = json.loads(capsys.readouterr().out)
    assert doc["solution_status"] == "optimal" and doc["termination"] == "proven" and doc["objective"] == 12


def test_ranged_rows_and_free_format_mps_are_solved(tmp_path, capsys):
    """RANGES (PuLP's reader failed on the section): 3 <= 2 x1 + 2 x2 + 3 x3 <= 5; the lower side binds."""
    model = tmp_path / "ranged.mps"
    model.write_text("NAME ranged\nROWS\n N cost\n L cap\nCOLUMNS\n MARKER 'MARKER' 'INTORG'\n"
                     " x1 cost 3 cap 2\n x2 cost 2 cap 2\n x3 cost 4 cap 3\n MARKER 'MARKER' 'INTEND'\n"
                     "RHS\n RHS cap 5\nRANGES\n RNG cap 2\nBOUNDS\n BV BND x1\n BV BND x2\n BV BND x3\nENDATA\n")
    assert main(["solve", str(model), "--json"]) == solution.EXIT_OK
    doc = json.loads(capsys.readouterr().out)
    assert doc["solution_status"] == "optimal" and doc["objective"] == 4
    assert doc["values"] == {"x1": 0, "x2": 0, "x3": 1}


def test_progress_lines_when_not_a_terminal_and_asked_for(tmp_path):
    # stderr is a pipe here: the plain lines show with --option verbose=true (BIPNN_CMD(msg=True) passes
    # it), never with --quiet, and by default only the summary (they were lost: no echo off a terminal)
    import numpy as np
    rng = np.random.default_rng(2)
    p = pulp.LpProblem("k", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{i}", cat="Binary") for i in range(40)]
    p += pulp.lpSum(int(a) * b for a, b in zip(rng.integers(1, 40, 40), x))
    p += pulp.lpSum(int(a) * b for a, b in zip(rng.integers(1, 30, 40), x)) <= 160
    model = write(p, tmp_path / "k.mps", with_objsense=True)
    code = ("import sys; from bipnn_backends import progress; progress.PLAIN_EVERY = 0.02; "
            "from bipnn_backends.cli import main; sys.exit(main(sys.argv[1:]))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}

    def run(*extra: str) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-c", code, "solve", model, "--time-limit", "3", *extra],
                              capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        return done

    done = run("--option", "verbose=true")
    assert "progress: " in done.stderr and "(feasible)" in done.stderr and "bipnn engine" in done.stderr
    assert "status" in done.stdout
    done = run("--quiet", "--option", "verbose=true")
    assert done.stdout == "" and done.stderr == ""
    done = run()
    assert "progress" not in done.stderr and "status" in done.stdout


def test_cli_runs_without_pulp(tmp_path):
    """`pip install bipnn_backends` alone installs the `bipnn` script: it must not need PuLP."""
    model = tmp_path / "t.opb"
    model.write_text("* #variable= 3 #constraint= 1\nmin: +1 x1 +2 x2 -3 x3 ;\n+1 x1 +1 x2 +1 x3 >= 2 ;\n")
    code = ("import sys; sys.modules['pulp'] = None\n"
            "from bipnn_backends.cli import main\n"
            f"rc = main(['solve', {str(model)!r}, '--quiet', '--json'])\n"
            "assert sys.modules['pulp'] is None\n"
            "sys.exit(rc)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["solution_status"] == "optimal" and doc["objective"] == -2.0
    version = subprocess.run([sys.executable, "-c", "import sys; sys.modules['pulp'] = None\n"
                              "from bipnn_backends.cli import main; main(['--version'])"],
                             capture_output=True, text=True, timeout=300)
    assert version.returncode == 0 and version.stdout.startswith("bipnn ") and "pulp" not in version.stdout


def test_the_process_command_ends_at_once_after_writing_everything(tmp_path, monkeypatch, capsys):
    """Run as the process's own command line (argv None), a solve ends the process with os._exit
    (no interpreter teardown) once the solution is written and the streams are flushed; called with
    arguments (in-process), main returns."""
    model = write(tiny(), tmp_path / "m.mps", with_objsense=True)
    out = tmp_path / "sol.json"
    ended = []

    def fake_exit(rc):
        ended.append((rc, json.loads(out.read_text())["solution_status"]))
        raise SystemExit(rc)

    monkeypatch.setattr(cli.os, "_exit", fake_exit)
    monkeypatch.delitem(sys.modules, "ray", raising=False)  # other tests may have imported it (a cluster run)
    monkeypatch.setattr(sys, "argv", ["bipnn", "solve", model, "--solution", str(out)])
    with pytest.raises(SystemExit):
        main()
    assert ended == [(0, "optimal")] and "status     optimal" in capsys.readouterr().out
    assert main(["solve", model, "--quiet"]) == 0 and len(ended) == 1
