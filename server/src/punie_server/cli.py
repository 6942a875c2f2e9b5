"""The ``punie`` command line: one sub-command per job (PROTOCOL.md §1).

Each sub-command lives in its own module and registers itself here; heavy imports
(mlx, pygls) happen inside the command, so ``punie --help`` stays instant.
"""

import argparse
import sys
from collections.abc import Callable, Sequence

from punie_server import __version__

# What ``--model`` takes, for every sub-command that runs a model (docs/architecture.md).
MODEL_HELP = (
    "smollm2, a .gguf file, an adapter or mlx-lm model directory, or a hub id "
    "(default: the embedded model)"
)

# (name, help, module that defines ``add_arguments(parser)`` and ``run(args) -> int``)
SUBCOMMANDS: list[tuple[str, str, str]] = [
    ("serve", "Run the Punie language server (stdio by default).", "punie_server.serve_cli"),
    ("train", "Generate verified data and train a model.", "punie_server.train_cli"),
    ("ask", "Ask one question through a real punie serve.", "punie_server.ask_cli"),
    ("chat", "Chat interactively through a real punie serve.", "punie_server.chat_cli"),
    ("eval", "Run eval query suites through a real punie serve.", "punie_server.eval_cli"),
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``punie`` and every registered sub-command."""
    parser = argparse.ArgumentParser(
        prog="punie",
        description="Punie: a local Code Mode coding agent behind a language server.",
    )
    parser.add_argument("--version", action="version", version=f"punie {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text, module_name in SUBCOMMANDS:
        module = __import__(module_name, fromlist=["add_arguments", "run"])
        sub = commands.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(sub)
        runner: Callable[[argparse.Namespace], int] = module.run
        sub.set_defaults(run=runner)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``punie`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "run", None) is None:
        parser.print_help()
        return 0
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
