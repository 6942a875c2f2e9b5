"""Punie's sandbox: runs model-written Python in an OS-isolated worker process.

``sandbox.Sandbox`` runs snippets; ``models`` holds the payloads that cross the
process boundary and ``host`` the callbacks a snippet can reach. Nothing is
re-exported here: the sandbox worker imports this package too, and must not pay for
pydantic (most of its start-up) unless a snippet needs it.
"""

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # Computed on first use: importlib.metadata costs ~0.2 s, and only the CLI asks.
    if name == "__version__":
        from importlib.metadata import version

        return version("punie-sandbox")
    raise AttributeError(f"module 'punie_sandbox' has no attribute {name!r}")
