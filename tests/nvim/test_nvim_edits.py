"""Random edits applied by real headless Neovim through the plugin: Neovim loads a file
(picking its 'fileformat' and 'eol' as for a user), maybe gets an unsaved line typed
into it, and Punie's scripted edit model writes a random text to it through the real
server. The buffer must then hold exactly that text: the same lines and the same final
line break (Neovim stores lines, so the line breaks are its 'fileformat''s).

One Neovim serves every example (driven with ``nvim --server … --remote-expr``).
"""

import json
import re
import subprocess
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.acme import write_workspace
from tests.nvim.test_nvim_plugin import HERE, NVIM, SERVER_CMD
from tests.scripted_model import EDIT_SCRIPT, write_edit_request, write_scripted_model
from tests.texts import text_pairs

pytestmark = pytest.mark.editor

LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass
class Neovim:
    """A headless Neovim listening on ``address``, in ``workspace``."""

    address: str
    workspace: Path
    names: "count[int]" = field(default_factory=count)

    def call(self, function: str, *args: Any) -> Any:
        """Call ``require('punie_edit_check')[function](...)``; its (JSON) result."""
        call = f'require("punie_edit_check").{function}(unpack(_A))'
        expr = f"luaeval('{call}', {json.dumps(args)})"
        done = subprocess.run(
            [str(NVIM), "--server", self.address, "--remote-expr", expr],
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        )
        return json.loads(done.stdout) if done.stdout.strip() else None


@pytest.fixture(scope="module")
def nvim(tmp_path_factory: pytest.TempPathFactory) -> Generator[Neovim]:
    model = write_scripted_model(tmp_path_factory.mktemp("edit-model"), EDIT_SCRIPT)
    workspace = write_workspace(tmp_path_factory.mktemp("ws"))
    address = str(tmp_path_factory.mktemp("nvim") / "socket")
    command = [str(NVIM), "--headless", "--clean", "-u", str(HERE / "minimal_init.lua")]
    process = subprocess.Popen(
        [*command, "--listen", address],
        cwd=workspace,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not Path(address).exists():
            assert process.poll() is None, "Neovim exited before it listened"
            assert time.monotonic() < deadline, "Neovim did not listen in time"
            time.sleep(0.05)
        editor = Neovim(address, workspace)
        editor.call("setup", json.dumps([*SERVER_CMD, "--model", str(model)]))
        yield editor
    finally:
        process.kill()
        process.wait()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pair=text_pairs(), typed=st.booleans())
def test_neovim_holds_exactly_the_written_text(nvim: Neovim, pair: tuple[str, str], typed: bool):
    old, new = pair
    name = f"doc-{next(nvim.names)}.txt"
    (nvim.workspace / name).write_bytes(old.encode("utf-8"))
    write_edit_request(nvim.workspace, name, new)

    out = nvim.call("write", name, int(typed))

    assert out["err"] is None, out
    assert out["step"]["ok"], out["step"]
    assert LINE_END.split(out["after"]) == LINE_END.split(new), out
