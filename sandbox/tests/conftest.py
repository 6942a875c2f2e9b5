"""Shared fixtures: one warm sandbox per test module, and a small workspace."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from punie_sandbox.local import LocalHost
from punie_sandbox.models import Limits
from punie_sandbox.sandbox import Sandbox


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(Limits(timeout_s=5.0, memory_mb=256)) as sb:
        yield sb


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "README.md").write_text("# Acme\nThe acme project.\n")
    return root


@pytest.fixture
def host(workspace: Path) -> LocalHost:
    return LocalHost(workspace)
