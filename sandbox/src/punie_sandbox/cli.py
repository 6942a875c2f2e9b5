"""The ``punie-sandbox`` command line."""

import argparse
import sys
from collections.abc import Sequence

from punie_sandbox import __version__


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``punie-sandbox``."""
    parser = argparse.ArgumentParser(
        prog="punie-sandbox",
        description="Run model-written Python snippets in Punie's isolated sandbox.",
    )
    parser.add_argument("--version", action="version", version=f"punie-sandbox {__version__}")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``punie-sandbox`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
