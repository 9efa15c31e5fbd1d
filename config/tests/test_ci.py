"""`.ci/run` runs the README's `make test`, and tells "no tests collected" apart from a failure."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CI_SCRIPT = (ROOT / ".ci" / "run").read_text()


def run_tests_in(
    tmp_path: Path, *, make_exit: int, pytest_exit: int
) -> subprocess.CompletedProcess:
    """Run the script's run_tests() with stand-ins for make and pytest that exit as asked."""
    function = re.search(r"^run_tests\(\) \{\n.*?^\}\n", CI_SCRIPT, re.S | re.M).group(0)
    bin_dir = tmp_path / "bin"
    venv_bin = tmp_path / ".venv" / "bin"
    for directory in (bin_dir, venv_bin):
        directory.mkdir(parents=True)
    (bin_dir / "make").write_text(f'#!/bin/sh\necho "make $*"\nexit {make_exit}\n')
    (venv_bin / "python").write_text(f'#!/bin/sh\necho "python $*"\nexit {pytest_exit}\n')
    for stub in (bin_dir / "make", venv_bin / "python"):
        stub.chmod(0o755)
    return subprocess.run(  # noqa: S603 - our own script and stubs
        ["/bin/bash", "-c", f"{function}\nrun_tests"],
        cwd=tmp_path,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_runs_the_readmes_make_test():
    assert "make test" in (ROOT / "README.md").read_text()
    assert re.search(r"^\s*make test\b", CI_SCRIPT, re.M)


def test_it_passes_when_make_test_passes(tmp_path):
    result = run_tests_in(tmp_path, make_exit=0, pytest_exit=1)
    assert result.returncode == 0
    assert "make test" in result.stdout
    assert "--collect-only" not in result.stdout


@pytest.mark.parametrize("pytest_exit", [1, 2, 4])
def test_it_fails_when_make_test_fails(tmp_path, pytest_exit):
    assert run_tests_in(tmp_path, make_exit=2, pytest_exit=pytest_exit).returncode != 0


def test_it_passes_when_pytest_collected_no_tests(tmp_path):
    result = run_tests_in(tmp_path, make_exit=2, pytest_exit=5)
    assert result.returncode == 0
    assert "no tests" in result.stdout
