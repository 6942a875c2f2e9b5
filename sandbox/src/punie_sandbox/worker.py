"""The worker: runs inside the sandbox, one snippet per process.

Started as ``python -I -S -c BOOT CONFIG`` by ``process``. It imports everything a
snippet may need, confines itself (private root for the namespaces backend, rlimits,
an unprivileged uid), tells the host it is ready, then blocks until the snippet
arrives on its input pipe. Tool calls go out as frames on the output pipe and block
for the host's reply; the snippet's own stdout is a separate pipe the host caps.
After the snippet the worker reports ``done`` and exits.

This module must import nothing the sandbox does not mount: the standard library,
pydantic (for ``typecheck``'s results) and this package. pydantic is imported only
when a snippet needs it: it is most of a worker's start-up time otherwise (~0.17 s of
~0.2 s of CPU), paid by every snippet, in a warm pool that refills while the model
generates.
"""

import ast
import builtins
import io
import json
import os
import resource
import signal
import struct
import sys
from importlib import import_module
from types import TracebackType
from typing import Any

from punie_sandbox import toolset

HEADER = struct.Struct(">I")
# Imported before the snippet runs: after confinement the files may be unreadable, and
# preloading makes the snippet's own imports instant. ``_strptime`` is what
# ``datetime.strptime`` imports lazily.
PRELOAD = (
    "collections",
    "dataclasses",
    "datetime",
    "difflib",
    "fnmatch",
    "functools",
    "itertools",
    "math",
    "re",
    "statistics",
    "string",
    "textwrap",
    "typing",
    "_strptime",
)
RESULT_TYPES = ("TypeCheckResult", "TypeCheckError")
SNIPPET_FILE = "<snippet>"
NOBODY = 65534
# What a ``done`` frame may carry: the host refuses longer fields (they enter the
# model's next turn), so the worker cuts its own to fit.
MAX_RESULT_CHARS = 10_000
MAX_ERROR_CHARS = 2_000
MAX_ERROR_TYPE_CHARS = 100

# Host exceptions re-raised with their own type inside the snippet; others become
# RuntimeError carrying the original type name.
_REMOTE_ERRORS: dict[str, type[Exception]] = {
    cls.__name__: cls
    for cls in (
        PermissionError,
        FileNotFoundError,
        FileExistsError,
        IsADirectoryError,
        NotADirectoryError,
        ValueError,
        TypeError,
        TimeoutError,
        KeyError,
        RuntimeError,
        OSError,
        UnicodeDecodeError,
    )
}


class Channel:
    """Blocking frame I/O over the two callback pipes."""

    def __init__(self, fd_in: int, fd_out: int) -> None:
        self.fd_in = fd_in
        self.fd_out = fd_out

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message, separators=(",", ":")).encode()
        data = HEADER.pack(len(body)) + body
        while data:
            data = data[os.write(self.fd_out, data) :]

    def receive(self) -> dict[str, Any]:
        (length,) = HEADER.unpack(self._read_exactly(HEADER.size))
        return json.loads(self._read_exactly(length))

    def _read_exactly(self, size: int) -> bytes:
        chunks = []
        while size:
            chunk = os.read(self.fd_in, size)
            if not chunk:
                raise EOFError("host closed the callback pipe")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)


def make_transport(channel: Channel):
    """The function ``toolset`` calls: one round trip to the host per tool call."""

    def transport(tool: str, args: dict[str, Any]) -> Any:
        for name, value in args.items():
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str) and not _is_unicode(text):
                    raise ValueError(
                        f"{tool}(): {name} is not valid text (it holds a lone surrogate)"
                    )
        channel.send({"kind": "call", "tool": tool, "args": args})
        reply = channel.receive()
        if reply.get("ok"):
            return reply.get("value")
        error = reply.get("error") or {}
        kind, message = str(error.get("type", "RuntimeError")), str(error.get("message", ""))
        cls = _REMOTE_ERRORS.get(kind)
        if cls is UnicodeDecodeError or cls is None:
            raise RuntimeError(f"{kind}: {message}")
        raise cls(message)

    return transport


def _is_unicode(text: str) -> bool:
    # A lone surrogate has no UTF-8 form: the frame could not carry it.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def set_limits(limits: dict[str, Any]) -> None:
    """Apply the rlimits; hard limits too, so the snippet (or command) cannot raise them."""
    cpu = int(limits["cpu_s"])
    pairs = {
        resource.RLIMIT_CPU: (cpu, cpu + 1),
        resource.RLIMIT_AS: (limits["memory_bytes"],) * 2,
        resource.RLIMIT_FSIZE: (limits["file_bytes"],) * 2,
        resource.RLIMIT_NOFILE: (limits["open_files"],) * 2,
        resource.RLIMIT_CORE: (0, 0),
    }
    # None: left as it is (RLIMIT_NPROC counts every process of the uid, so it only
    # makes sense for ``nobody``).
    if limits["processes"] is not None:
        pairs[resource.RLIMIT_NPROC] = (limits["processes"],) * 2
    for kind, (soft, hard) in pairs.items():
        resource.setrlimit(kind, clamped(soft, hard, resource.getrlimit(kind)[1]))


def clamped(soft: int, hard: int, current_hard: int) -> tuple[int, int]:
    """``(soft, hard)`` no higher than the hard limit already in force: a host started
    under a stricter limit (``ulimit -f``) keeps it instead of failing every start."""
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
    return min(soft, hard), hard


def join_cgroup(procs_fd: int | None) -> None:
    """Move this process into the memory cgroup the host made for it (if any).

    ``0`` means "the writer": the right process even inside a pid namespace.
    """
    if procs_fd is not None:
        os.write(procs_fd, b"0")
        os.close(procs_fd)


def drop_privileges() -> None:
    """As root, become ``nobody``: no capabilities, and RLIMIT_NPROC applies again."""
    if os.geteuid() != 0:
        return
    os.setgroups([])
    os.setresgid(NOBODY, NOBODY, NOBODY)
    os.setresuid(NOBODY, NOBODY, NOBODY)


def compile_snippet(code: str):
    """Compile ``code``; if it ends with an expression, also compile that expression."""
    tree = ast.parse(code, SNIPPET_FILE, "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last_statement = tree.body.pop()
        assert isinstance(last_statement, ast.Expr)
        expr = ast.Expression(last_statement.value)
        last = compile(expr, SNIPPET_FILE, "eval")
    return compile(tree, SNIPPET_FILE, "exec"), last


def snippet_line(tb: TracebackType | None) -> int | None:
    """The last line of the snippet in a traceback (not the worker's own frames)."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SNIPPET_FILE:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def describe(exc: BaseException) -> dict[str, str]:
    """The error payload: exception type and message prefixed with the snippet line."""
    if isinstance(exc, SyntaxError) and exc.filename == SNIPPET_FILE:
        line: int | None = exc.lineno
        text = exc.msg
    else:
        line = snippet_line(exc.__traceback__)
        text = str(exc) or ("out of memory" if isinstance(exc, MemoryError) else "")
    message = f"line {line}: {text}" if line is not None else text
    return {
        "type": clip(type(exc).__name__, MAX_ERROR_TYPE_CHARS),
        "message": clip(_unicode_or_escaped(message), MAX_ERROR_CHARS),
    }


def _unicode_or_escaped(text: str) -> str:
    return text if _is_unicode(text) else text.encode("utf-8", "backslashreplace").decode()


class SnippetBuiltins(dict[str, Any]):
    """Python's builtins, plus ``typecheck``'s result types, imported when first named."""

    def __missing__(self, name: str) -> Any:
        if name not in RESULT_TYPES:
            raise KeyError(name)  # the snippet sees NameError
        from punie_sandbox import models

        value = self[name] = getattr(models, name)
        return value


def run_snippet(code: str) -> dict[str, Any]:
    """Execute ``code`` with the toolset in scope; the ``done`` message's fields."""
    namespace: dict[str, Any] = {
        "__name__": "__snippet__",
        "__builtins__": SnippetBuiltins(vars(builtins)),
    }
    namespace.update({func.__name__: func for func in toolset.TOOLS})
    try:
        body, last = compile_snippet(code)
        exec(body, namespace)
        value = eval(last, namespace) if last is not None else None
        result = None if value is None else _unicode_or_escaped(repr(value)[:MAX_RESULT_CHARS])
        return {"result": result, "error": None}
    except BaseException as exc:  # the snippet's failure is the result, whatever it is
        return {"result": None, "error": describe(exc)}


def main() -> None:
    """Worker entry point; ``sys.argv[1]`` is the JSON config written by the host."""
    config = json.loads(sys.argv[1])
    join_cgroup(config.get("cgroup_fd"))
    for name in PRELOAD:
        import_module(name)
    channel = Channel(config["fd_in"], config["fd_out"])
    if config.get("private_root"):
        from punie_sandbox import confine

        confine.enter_private_root(config["private_root"])
        stdlib = [entry for entry in sys.path if entry not in config["path"]]
        sys.path[:] = [*config["path_after_confine"], *stdlib]
        # This package came from a host path that is gone now; what it imports later
        # (the result models, on a snippet's first use) must come from its mount.
        package = sys.modules["punie_sandbox"]
        package.__path__[:] = [f"{site}/punie_sandbox" for site in config["path_after_confine"]]
    os.chdir(config["cwd"])
    set_limits(config["limits"])
    # Past RLIMIT_FSIZE a write then fails with EFBIG instead of killing the worker.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    if config.get("drop_privileges"):
        drop_privileges()
    stdout = sys.stdout
    if isinstance(stdout, io.TextIOWrapper):
        # Line buffering keeps partial output visible when a snippet is killed.
        stdout.reconfigure(line_buffering=True)
    toolset._transport = make_transport(channel)
    channel.send({"kind": "ready"})
    message = channel.receive()
    done = run_snippet(str(message.get("code", "")))
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # a closed or broken stdout must not lose the result
        pass
    channel.send({"kind": "done", **done})
    os._exit(0)
