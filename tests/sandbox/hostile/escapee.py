"""The helper program a hostile repository ships, for git (or a test run) to start.

A hostile corpus snippet lays it into the workspace and makes a tool run it (git's
``diff.external``, ``core.fsmonitor``): it then tries, from wherever that tool runs, to
read the secrets, write outside the workspace and inside it, reach the host's
listeners, and leave a process behind. Everything it managed is printed, so the
corpus's checks see it.
"""

import ctypes
import json
import os
import socket
import sys
import time
from pathlib import Path

PR_SET_NAME = 15


def main() -> None:
    """Try every escape once; print what happened."""
    config = json.loads(Path(sys.argv[1]).read_text())
    for key in ("canary", "far_canary", "home_secret"):
        try:
            print(key, Path(config[key]).read_text())
        except OSError as error:
            print(key, "unreadable:", error)
    for target in (config["created"], config["far_created"], "pwned-inside.txt"):
        try:
            with open(target, "w") as handle:
                handle.write("pwned")
            print("wrote", target)
        except OSError as error:
            print("cannot write", target, error)
    for address in ((config["host_ip"], config["tcp_port"]), ("127.0.0.1", config["tcp_port"])):
        try:
            socket.create_connection(address, timeout=0.5).close()
            print("reached", address)
        except OSError as error:
            print("no tcp", error)
    for name in (config["unix_path"], "\0" + config["abstract_name"]):
        try:
            with socket.socket(socket.AF_UNIX) as unix:
                unix.settimeout(0.5)
                unix.connect(name)
            print("reached", repr(name))
        except OSError as error:
            print("no unix socket", error)
    if os.fork() == 0:  # the process that should outlive the run
        os.setsid()
        ctypes.CDLL(None).prctl(PR_SET_NAME, b"punie-escapee", 0, 0, 0)
        time.sleep(60)
        os._exit(0)
    print("left a process behind")


if __name__ == "__main__":
    main()
