"""The ``punie-sandbox`` command line."""

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from punie_sandbox import __version__
from punie_sandbox.models import Limits

_FLAGS = {"timeout_s": "--timeout", "memory_mb": "--memory-mb"}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``punie-sandbox``."""
    parser = argparse.ArgumentParser(
        prog="punie-sandbox",
        description="Run model-written Python snippets in Punie's isolated sandbox.",
    )
    parser.add_argument("--version", action="version", version=f"punie-sandbox {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser(
        "run",
        help="run one snippet with a local host; print its ExecResult as JSON",
        description="Run one snippet in the sandbox; callbacks are confined to --workspace.",
    )
    run.add_argument("--workspace", type=Path, default=Path.cwd(), help="workspace dir (cwd)")
    run.add_argument("--timeout", type=float, default=Limits().timeout_s, help="seconds")
    run.add_argument("--memory-mb", type=int, default=Limits().memory_mb, help="address space")
    run.add_argument("file", nargs="?", default="-", help="snippet file, or - for stdin")
    return parser


async def _run_snippet(code: str, workspace: Path, limits: Limits) -> str:
    from punie_sandbox.local import LocalHost
    from punie_sandbox.sandbox import Sandbox

    async with Sandbox(limits, warm=0) as sandbox:
        if sandbox.warning:
            print(sandbox.warning, file=sys.stderr)
        result = await sandbox.run(code, LocalHost(workspace))
    return result.model_dump_json(by_alias=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``punie-sandbox`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if not args.workspace.is_dir():
        parser.error(f"--workspace {args.workspace} is not a directory")
    try:
        limits = Limits(timeout_s=args.timeout, memory_mb=args.memory_mb)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_FLAGS[str(e['loc'][0])]}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        parser.error(problems)
    try:
        code = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
    except OSError as exc:
        parser.error(f"cannot read {args.file}: {exc.strerror}")
    print(asyncio.run(_run_snippet(code, args.workspace, limits)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
