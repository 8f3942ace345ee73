"""The official orq SDK, pointed at the sandbox, parses every answer: the current release and 4.14.20."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest

CHECK = Path(__file__).with_name("sdk_check.py")
CACHE = Path(__file__).resolve().parents[2] / ".venv" / "sdk-cache"


def unpacked_sdk(version: str) -> Path:
    """The SDK wheel from PyPI, unpacked (not installed) so two versions can be run side by side."""
    target = CACHE / version
    if not (target / "orq_ai_sdk").exists():
        wheels = CACHE / "wheels"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "-d",
                str(wheels),
                f"orq-ai-sdk=={version}",
            ],
            check=True,
        )
        [wheel] = wheels.glob(f"orq_ai_sdk-{version}-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
    return target


def judges(orq) -> dict[str, str]:
    """A number and a string evaluator beside the demo's boolean and categorical ones (for invoke)."""
    made = {}
    for kind, prompt in (
        ("number", "Rate the answer from 1 to 10: {{output}}, against {{expected_output}}"),
        ("string", "Say how good {{output}} is, given {{expected_output}}."),
    ):
        key = f"judge_{kind}_{uuid.uuid4().hex[:8]}"
        evaluator = orq.create_evaluator({"key": key, "prompt": prompt, "model": "openai/gpt-4o", "output_type": kind})
        made[f"judge_{kind}"] = evaluator.id
    # a jury whose judges cannot answer: the run `failed`, with no value
    jury = orq.create_evaluator(
        {
            "key": f"judge_jury_{uuid.uuid4().hex[:8]}",
            "prompt": "Grade {{output}} against {{expected_output}}.",
            "mode": "jury",
            "jury": {"judges": [{"model": "a/offline-1"}, {"model": "b/offline-2"}], "min_successful_judges": 2},
        }
    )
    made["judge_failing_jury"] = jury.id
    return made


@pytest.mark.parametrize("version", ["installed", "4.14.20"])
def test_official_sdk_parses_every_answer(sandbox, orq, version):
    path = "" if version == "installed" else str(unpacked_sdk(version))
    ids = {**sandbox.ids, **judges(orq)}
    result = subprocess.run(
        [sys.executable, str(CHECK), sandbox.url, sandbox.api_key, json.dumps(ids), path],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    if version == "installed":
        assert report["version"] == "4.17.13"
    else:
        assert report["version"] == version
    assert report["failures"] == {}, report["failures"]
    # 4.17.13 runs evaluators too (evals.invoke: every kind of evaluator, and its refusals) and the bulk
    # datapoint routes; 4.14.20's invoke expects the answer wrapped in {result}, a shape orq dropped (see
    # sdk_check.py), and it has no bulk routes
    assert len(report["passed"]) == (17 if version == "installed" else 14), report["passed"]
