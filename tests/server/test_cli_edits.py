"""Edits as ``punie ask`` / ``chat`` apply them to disk: through the real ``punie serve``
and the CLI's LSP client (``PunieClient``), every write leaves the file holding exactly
the snippet's text, byte for byte. ``edit_model`` writes a path and text the test
chooses (see ``tests.server.conftest.write_edit_request``)."""

from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from punie_server.client import PunieClient
from punie_server.consent import ApproveAll
from tests.acme import write_workspace
from tests.scripted_model import write_edit_request
from tests.server.test_cli_clients import punie
from tests.texts import text_pairs

ONE_TURN = {"maxTurns": 1}


@dataclass
class Cli:
    client: PunieClient
    workspace: Path
    names: "count[int]" = field(default_factory=count)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cli(edit_model: Path, tmp_path_factory: pytest.TempPathFactory) -> AsyncGenerator[Cli]:
    workspace = write_workspace(tmp_path_factory.mktemp("ws"))
    client = PunieClient(workspace, approver=ApproveAll(), model=str(edit_model), settings=ONE_TURN)
    async with client:
        yield Cli(client, workspace)


@pytest.mark.asyncio(loop_scope="module")
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pair=text_pairs(), exists=st.booleans())
async def test_a_write_leaves_the_file_holding_the_text_byte_for_byte(
    cli: Cli, pair: tuple[str, str], exists: bool
):
    old, new = pair
    name = f"doc-{next(cli.names)}.txt"
    if exists:
        (cli.workspace / name).write_bytes(old.encode("utf-8"))
    write_edit_request(cli.workspace, name, new)

    result = await cli.client.chat("write it")

    assert result.steps[0].ok, result.steps[0]
    assert (cli.workspace / name).read_bytes() == new.encode("utf-8")


def test_punie_ask_keeps_a_form_feed_file_byte_for_byte(edit_model: Path, workspace: Path):
    (workspace / "module.py").write_bytes(b"a = 1\n\x0c\r\nb = 2\r\n# caf\xc3\xa9")
    new = "a = 1\n\x0c\r\nb = 3\r\n# café"
    write_edit_request(workspace, "module.py", new)
    done = punie("ask", "write it", "--yes", "--model", str(edit_model), cwd=workspace)
    assert "✓ Punie: write module.py" in done.stdout, done.stdout + done.stderr
    assert (workspace / "module.py").read_bytes() == new.encode("utf-8")
