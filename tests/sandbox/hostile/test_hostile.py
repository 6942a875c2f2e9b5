"""The hostile corpus: model-style attacks, run with the AST gate bypassed.

Every snippet in ``snippets/`` runs under the ``bwrap`` and the ``namespaces`` backend
through ``Sandbox._run`` (the gate-less path), so what is shown here is the OS
isolation, not the gate; the commands and ty runs it asks for run in the same backend.
After every run these properties are asserted:

- the secret (in canary files outside the workspace, in a repository and a Python
  module beside it, in a fake ``$HOME`` and in the parent's environment) appears nowhere
  in the result or the workspace;
- nothing outside the workspace changed: not a byte written, not a file created;
- the TCP, unix-path and abstract-unix listeners of the host saw no connection;
- no process or thread named ``punie-escapee`` (every snippet that forks or spawns,
  and the helper program a hostile repository ships, ``escapee.py``, names its
  children so) survives the run;

plus each snippet's own ``# expect:`` line (ok, error=<type>|any, killed=<reason>; a
killed run must end within the timeout + 0.5 s, measured with a spare ready),
``# within:`` seconds, ``# forbid:`` strings and ``# check:`` extras. ``# file: PATH <-
JSON-STRING`` lines lay out the hostile repository the snippet runs in (``@@key@@``
stands for an arena path; ``@escapee`` for the helper program); the workspace is put
back as it was after each snippet. Snippets marked ``# gate: refused`` are also
checked to be refused by the AST gate.
"""

import asyncio
import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio

from punie_sandbox import gate
from punie_sandbox.local import LocalHost
from punie_sandbox.models import ExecResult, Limits
from punie_sandbox.sandbox import Sandbox
from punie_sandbox.worker import MAX_RESULT_CHARS

SNIPPETS = sorted((Path(__file__).parent / "snippets").glob("*.py"))
BACKENDS = ["bwrap", "namespaces"]
LIMITS = Limits(timeout_s=1.0, memory_mb=256, max_output_bytes=65536)
ESCAPEE = "punie-escapee"


ESCAPEE_PROGRAM = (Path(__file__).parent / "escapee.py").read_text()


@dataclass
class Snippet:
    path: Path
    code: str
    expect: str = "any"
    gate_refused: bool = False
    within_s: float | None = None
    forbid: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)


def load(path: Path) -> Snippet:
    snippet = Snippet(path, path.read_text())
    for line in snippet.code.splitlines():
        key, _, value = line.removeprefix("# ").partition(": ")
        if not line.startswith("# "):
            continue
        if key == "expect":
            snippet.expect = value
        elif key == "gate":
            snippet.gate_refused = value == "refused"
        elif key == "within":
            snippet.within_s = float(value)
        elif key == "forbid":
            snippet.forbid.append(value)
        elif key == "check":
            snippet.checks.append(value)
        elif key == "file":
            name, _, content = value.partition(" <- ")
            snippet.files[name] = ESCAPEE_PROGRAM if content == "@escapee" else json.loads(content)
    return snippet


@dataclass
class Listener:
    """Counts every connection a host-side server accepts."""

    connections: int = 0

    async def accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.close()


@dataclass
class Arena:
    """A sandbox plus everything the corpus tries to reach."""

    sandbox: Sandbox
    secret: str
    root: Path
    workspace: Path
    places: dict[str, str]
    outside_dirs: list[Path]
    created: list[Path]
    listener: Listener


def _host_ip() -> str:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))  # no packet is sent; picks the outbound address
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


@pytest.fixture(scope="module")
def secret_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    secret = f"CANARY-{uuid.uuid4().hex}"
    root = tmp_path_factory.mktemp("hostile")
    home = root / "home"
    home.mkdir()
    (home / ".secret").write_text(secret)
    saved = {k: os.environ.get(k) for k in ("PUNIE_HOSTILE_SECRET", "HOME")}
    os.environ["PUNIE_HOSTILE_SECRET"] = secret
    os.environ["HOME"] = str(home)
    yield secret, root
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _lay_out(root: Path, secret: str) -> tuple[Path, Path, Path]:
    """Workspace, a sibling dir and a dir in /var/tmp, with canaries outside the workspace."""
    workspace, outside = root / "ws", root / "outside"
    far = Path(f"/var/tmp/punie-hostile-{uuid.uuid4().hex[:8]}")
    for directory in (workspace, outside, far):
        directory.mkdir(parents=True)
    for canary in (outside / "canary.txt", far / "canary.txt"):
        canary.write_text(secret)
    (outside / "secretmod.py").write_text(f"SECRET = {secret!r}\n")
    _repository_with(outside / "repo", secret)
    (workspace / "README.md").write_text("# hostile corpus workspace\n")
    (workspace / "link_out").symlink_to(outside)
    return workspace, outside, far


def _repository_with(path: Path, secret: str) -> None:
    """Another repository on the machine, with the secret in its history."""
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}
    path.mkdir()
    (path / "notes.txt").write_text(secret)
    for argv in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "notes"],
    ):
        subprocess.run(["git", *argv], cwd=path, env=env, check=True, capture_output=True)


@pytest_asyncio.fixture(loop_scope="module", scope="module", params=BACKENDS)
async def arena(request: pytest.FixtureRequest, secret_env) -> AsyncIterator[Arena]:
    secret, base = secret_env
    root = base / request.param
    workspace, outside, far = _lay_out(root, secret)
    created = [outside / "created.txt", root / "created.txt", far / "created.txt"]
    listener = Listener()
    tcp = await asyncio.start_server(listener.accept, "0.0.0.0", 0)
    unix_path = str(root / "host.sock")
    unix = await asyncio.start_unix_server(listener.accept, unix_path)
    abstract_name = f"punie-hostile-{uuid.uuid4().hex[:8]}"
    abstract = await asyncio.start_unix_server(listener.accept, "\0" + abstract_name)
    config = {
        "canary": str(outside / "canary.txt"),
        "far_canary": str(far / "canary.txt"),
        "created": str(created[0]),
        "far_created": str(created[2]),
        "home_secret": str(base / "home" / ".secret"),
        "tcp_port": tcp.sockets[0].getsockname()[1],
        "host_ip": _host_ip(),
        "unix_path": unix_path,
        "abstract_name": abstract_name,
    }
    _write_config(workspace, config)
    places = {"workspace": str(workspace), "outside": str(outside), "far": str(far)}
    places |= {key: str(value) for key, value in config.items()}
    try:
        async with Sandbox(LIMITS, backend=request.param, warm=2) as sandbox:
            yield Arena(sandbox, secret, root, workspace, places, [root, far], created, listener)
    finally:
        for server in (tcp, unix, abstract):
            server.close()
        shutil.rmtree(far, ignore_errors=True)


def _write_config(workspace: Path, config: dict[str, object]) -> None:
    (workspace / "hostile.json").write_text(json.dumps(config))


def _escapees() -> list[str]:
    # Processes come and go while we look (fork bombs being torn down), so every step
    # tolerates a vanished /proc entry.
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                if Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip() == ESCAPEE:
                    found.append(f"{pid}/{tid}")
        except OSError:
            continue
    return found


async def _no_escapees() -> list[str]:
    # The worker's group was SIGKILLed before run() returned; give the kernel time to
    # finish tearing down a large process tree (fork bombs) before looking.
    for _ in range(40):
        left = _escapees()
        if not left:
            return []
        await asyncio.sleep(0.05)
    return left


def _assert_expectation(result: ExecResult, expect: str) -> None:
    kind, _, value = expect.partition("=")
    if kind == "ok":
        assert result.ok, result
    elif kind == "error":
        assert result.error is not None, result
        if value != "any":
            assert result.error.type == value, result
    elif kind == "killed":
        assert result.killed == value, result


def _files(top: Path, skip: Path | None = None) -> dict[str, bytes]:
    """Every file (and symlink target) under ``top``, except under ``skip``."""
    found: dict[str, bytes] = {}
    for directory, dirs, names in os.walk(top):
        if skip is not None and Path(directory).is_relative_to(skip):
            dirs.clear()
            continue
        for name in [*names, *dirs]:
            path = Path(directory) / name
            if path.is_symlink():
                found[str(path)] = os.readlink(path).encode()
            elif path.is_file():
                found[str(path)] = path.read_bytes()
            else:
                found[str(path)] = b"<dir>"
    return found


def _lay_down(arena: Arena, files: dict[str, str]) -> None:
    for name, content in files.items():
        for key, value in arena.places.items():
            content = content.replace(f"@@{key}@@", value)
        target = arena.workspace / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)


def _put_back(workspace: Path, before: dict[str, bytes]) -> None:
    """Undo what the run (and its setup) did to the workspace."""
    for path, data in sorted(_files(workspace).items(), key=lambda item: -len(item[0])):
        target = Path(path)
        if path not in before:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            else:
                target.unlink()
        elif data != before[path] and not target.is_symlink():
            target.write_bytes(before[path])


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("path", SNIPPETS, ids=[p.stem for p in SNIPPETS])
async def test_hostile_snippet_is_contained(arena: Arena, path: Path):
    snippet = load(path)
    host = LocalHost(arena.workspace, command_timeout_s=5, backend=arena.sandbox.backend)
    pristine = _files(arena.workspace)
    outside = {str(top): _files(top, skip=arena.workspace) for top in arena.outside_dirs}
    _lay_down(arena, snippet.files)
    laid_down = _files(arena.workspace)
    await arena.sandbox.wait_warm(1)
    started = time.monotonic()
    try:
        result = await arena.sandbox._run(snippet.code, host)
        elapsed = time.monotonic() - started
        after = _files(arena.workspace)
    finally:
        _put_back(arena.workspace, pristine)

    if snippet.expect.startswith("killed="):
        assert elapsed <= LIMITS.timeout_s + 0.5, f"took {elapsed:.2f} s: {result}"
    if snippet.within_s is not None:
        assert elapsed <= snippet.within_s, f"took {elapsed:.2f} s: {result}"
    _assert_expectation(result, snippet.expect)
    seen = result.model_dump_json()
    assert arena.secret not in seen
    for text in snippet.forbid:
        assert text not in result.stdout + (result.result or ""), result
    for name, data in after.items():
        assert arena.secret.encode() not in data, name
    if "workspace-unchanged" in snippet.checks:
        assert after == laid_down, sorted(set(after) ^ set(laid_down))
    for top, files in outside.items():
        assert _files(Path(top), skip=arena.workspace) == files, f"something changed in {top}"
    assert not [p for p in arena.created if p.exists()]
    assert arena.listener.connections == 0
    assert await _no_escapees() == []
    if "result-capped" in snippet.checks:
        assert result.result is not None
        assert len(result.result) <= MAX_RESULT_CHARS
    if "sandbox-survives" in snippet.checks:
        after = await arena.sandbox.run("print('still here')", host)
        assert after.stdout == "still here\n", after


GATED = [p for p in SNIPPETS if load(p).gate_refused]


@pytest.mark.parametrize("path", GATED, ids=[p.stem for p in GATED])
def test_the_gate_refuses_what_it_can_see(path: Path):
    error = gate.check(path.read_text())
    assert error is not None
    assert error.type == "SandboxViolation"
    assert error.message.startswith("line ")


def test_the_corpus_is_large_enough():
    assert len(SNIPPETS) >= 50
