"""Confining paths to one directory tree (the workspace)."""

from pathlib import Path


def resolve_inside(root: Path, path: str) -> Path:
    """Resolve ``path`` (relative to ``root``) and return it if it stays inside ``root``.

    Symlinks are resolved on both sides, so ``..`` segments, absolute paths elsewhere and
    symlinks that point out of the tree are all refused with ``PermissionError``.
    """
    if "\x00" in path:
        raise ValueError(f"path contains a NUL byte: {path!r}")
    base = root.resolve()
    target = (base / path).resolve()
    if target != base and base not in target.parents:
        raise PermissionError(f"path is outside the workspace: {path}")
    return target


def resolve_writable(root: Path, path: str) -> Path:
    """``resolve_inside`` for writes: git's own files (any ``.git`` component) are refused
    too, because git config can name programs (``core.fsmonitor``, filters) that an
    allowed ``git status`` would then run outside the sandbox."""
    target = resolve_inside(root, path)
    if any(part.lower() == ".git" for part in target.relative_to(root.resolve()).parts):
        raise PermissionError(f"writing git's own files is not allowed: {path}")
    return target
