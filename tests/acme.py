"""The small ``acme`` project that the server tests, the reliability suite and
``bench/load.py`` run against.

A plain module (no pytest), so the bench script can import it when run on its own.
"""

from pathlib import Path


def write_workspace(root: Path) -> Path:
    """Write the project into the existing directory ``root``: a README, a package, a
    module with one type error (``str`` returned where ``int`` is promised) and a saved
    ``notes.txt``; return ``root``."""
    (root / "README.md").write_text("# acme\n\nAcme is a tiny demo project.\n")
    (root / "acme").mkdir()
    (root / "acme" / "__init__.py").write_text('"""Acme."""\n')
    (root / "acme" / "labels.py").write_text("def label(n: int) -> int:\n    return str(n)\n")
    (root / "notes.txt").write_text("saved words\n")
    return root
