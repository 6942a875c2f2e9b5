"""``punie serve``: run the language server on stdio or TCP."""

import argparse
import logging

from punie_server.cli import MODEL_HELP


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``punie serve``."""
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--stdio", action="store_true", help="talk LSP on stdin/stdout (default)")
    mode.add_argument("--tcp", metavar="HOST:PORT", help="listen for one LSP client on TCP")
    parser.add_argument("--model", help=MODEL_HELP)
    parser.add_argument("--log-file", help="write the server log here")


def run(args: argparse.Namespace) -> int:
    """Start the server and serve until the client says exit."""
    from punie_server.server import build_server

    if args.log_file:
        logging.basicConfig(
            filename=args.log_file,
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    server = build_server(args.model)
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not host or not port.isdigit():
            raise SystemExit(f"punie serve: --tcp wants HOST:PORT, got {args.tcp!r}")
        server.start_tcp(host, int(port))
    else:
        server.start_io()
    return 0
