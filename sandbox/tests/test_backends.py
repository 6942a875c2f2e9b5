"""Choosing the isolation backend."""

import os
import tempfile
from pathlib import Path

import pytest

from punie_sandbox.isolation import Backend, available, seatbelt_profile
from punie_sandbox.local import LocalHost
from punie_sandbox.sandbox import Sandbox


async def test_rlimits_only_runs_but_warns_loudly(workspace: Path):
    async with Sandbox(backend="rlimits-only", warm=0) as sandbox:
        result = await sandbox.run("print(1)", LocalHost(workspace))
        assert sandbox.backend == "rlimits-only"
        assert sandbox.warning is not None
        assert "WARNING" in sandbox.warning
    assert result.stdout == "1\n"


def test_the_strongest_working_backend_is_chosen_and_silent():
    sandbox = Sandbox(warm=0)
    assert sandbox.backend == "bwrap"
    assert sandbox.warning is None


@pytest.mark.parametrize("backend", ["bwrap", "namespaces"])
async def test_an_isolated_worker_leaves_nothing_in_the_host_temp_dir(
    backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # Its working directory is private to it; a host one would outlive a SIGKILLed server.
    if not available(backend):
        pytest.skip(f"{backend} does not work on this machine")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    async with Sandbox(backend=backend, warm=1) as sandbox:
        await sandbox.wait_warm()
        assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("backend", ["bwrap", "namespaces", "rlimits-only"])
async def test_the_result_types_load_on_first_use_in_every_backend(
    backend: Backend, workspace: Path
):
    # The worker imports them (and pydantic) only then, after it has confined itself.
    if not available(backend):
        pytest.skip(f"{backend} does not work on this machine")
    code = "print(TypeCheckResult(success=True, error_count=0, warning_count=0).success)"
    async with Sandbox(backend=backend, warm=0) as sandbox:
        result = await sandbox.run(code, LocalHost(workspace))
    assert result.stdout == "True\n", result


def test_unknown_backends_are_refused():
    with pytest.raises(ValueError, match="unknown sandbox backend 'docker'"):
        Sandbox(backend="docker")


def test_the_seatbelt_profile_names_only_python_packages_and_the_workdir(tmp_path: Path):
    profile = seatbelt_profile(str(tmp_path))
    assert "@READABLE@" not in profile
    assert "@WRITABLE@" not in profile
    assert f'(allow file-read* file-write* (subpath "{tmp_path}"))' in profile
    assert "(deny network*)" in profile
