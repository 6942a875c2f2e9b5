"""The launcher of one command inside the sandbox: confine this process, then exec.

Started by ``commands.run_argv`` as ``python -I -S -c BOOT CONFIG`` inside the same
isolation as a snippet worker (bwrap, or ``unshare`` plus the private root that
``confine`` builds). It joins its memory cgroup, applies the command's rlimits, drops
to ``nobody`` when started as root, and replaces itself with the program. If the exec
fails, it writes the errno to the status pipe (closed on a successful exec), so the
host can raise the matching ``OSError``.

Like the worker, it imports nothing the sandbox does not mount.
"""

import json
import os
import signal
import sys

from punie_sandbox.worker import drop_privileges, join_cgroup, set_limits


def main() -> None:
    """Entry point; ``sys.argv[1]`` is the JSON config written by the host."""
    config = json.loads(sys.argv[1])
    join_cgroup(config.get("cgroup_fd"))
    if config.get("private_root"):
        from punie_sandbox import confine

        confine.enter_private_root(config["private_root"])
    os.chdir(config["cwd"])
    set_limits(config["limits"])
    if config.get("drop_privileges"):
        drop_privileges()
    # Python ignores these at start-up; a program expects the defaults, as
    # ``subprocess`` would restore them.
    for signum in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(signum, signal.SIG_DFL)
    status = config["status_fd"]
    os.set_inheritable(status, False)
    program, argv, env = config["program"], config["argv"], config["env"]
    try:
        os.execve(program, argv, env)
    except OSError as error:
        os.write(status, str(error.errno).encode())
    os._exit(127)
