"""The `nbwidgets` command as a user meets it: help that lists what there is, one clear line for bad input."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from nbwidgets.__main__ import SUBCOMMANDS
from nbwidgets.sandbox.__main__ import parser as sandbox_parser


def nbwidgets(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nbwidgets", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_help_lists_every_subcommand_with_a_sentence():
    result = nbwidgets("--help")
    assert result.returncode == 0
    for name, sentence in SUBCOMMANDS.items():
        assert name in result.stdout
        assert sentence.split()[0] in result.stdout
    assert "sandbox" in SUBCOMMANDS and "usage: nbwidgets" in result.stdout


def test_no_command_prints_the_help_and_exits_2():
    result = nbwidgets()
    assert result.returncode == 2
    assert all(name in result.stderr for name in SUBCOMMANDS)


def test_every_sandbox_option_has_help_that_shows_its_default():
    actions = [a for a in sandbox_parser()._actions if a.dest != "help"]
    assert len(actions) >= 10
    for action in actions:
        assert action.help and "(default: " in action.help, action.option_strings
    shown = " ".join(nbwidgets("sandbox", "--help").stdout.split())  # wrapped to the terminal
    assert "(default: 8765)" in shown and "(default: :memory:)" in shown and "(default: 127.0.0.1)" in shown


def _port_in_use():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return listener


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--port", "-5"], "--port: '-5' is not a port"),
        (["--port", "99999"], "--port: '99999' is not a port"),
        (["--port", "http"], "--port: 'http' is not a port"),
        (
            ["--db", "/no/such/folder/data.sqlite"],
            "--db /no/such/folder/data.sqlite: the folder /no/such/folder does not exist",
        ),
        (["--datapoints", "-3"], "--datapoints: '-3' is not a number of datapoints"),
        (["--datapoints", "0"], "--datapoints: '0' is not a number of datapoints"),
        (["--fault-rate", "1.5"], "--fault-rate: '1.5' is not a share"),
        (["--latency-ms", "-1"], "--latency-ms: '-1' is not a duration"),
        (["--no-such-option"], "unrecognized arguments: --no-such-option"),
        (["--port", "IN_USE"], "the port is in use on 127.0.0.1"),
    ],
)
def test_bad_sandbox_input_is_one_clear_line_and_exit_code_2(args, says):
    listener = _port_in_use()
    try:
        args = [str(listener.getsockname()[1]) if a == "IN_USE" else a for a in args]
        result = nbwidgets("sandbox", *args)
    finally:
        listener.close()
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("nbwidgets sandbox: error: ")
    assert says in lines[0]
    assert "Traceback" not in result.stderr


def test_an_unknown_command_is_one_line_and_exit_code_2():
    result = nbwidgets("sandbx")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "invalid choice: 'sandbx'" in result.stderr


def test_status_says_which_service_each_flavour_would_use(monkeypatch):
    monkeypatch.setenv("ORQ_API_KEY", "a-key-that-is-never-printed")
    monkeypatch.delenv("OVERMIND_API_KEY", raising=False)
    monkeypatch.setenv("NBWIDGETS_SANDBOX_URL", "http://127.0.0.1:9")
    result = nbwidgets("status")
    assert result.returncode == 0
    assert "orq: https://api.orq.ai (ORQ_API_KEY is set)" in result.stdout
    assert "overmind: the sandbox at http://127.0.0.1:9" in result.stdout
    assert "a-key-that-is-never-printed" not in result.stdout + result.stderr
