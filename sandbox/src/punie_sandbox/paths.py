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


def read_text(target: Path, path: str) -> str:
    """The text of the already-confined file ``target`` (``path`` as the snippet wrote it).

    Raises ``IsADirectoryError`` / ``FileNotFoundError`` naming ``path``; undecodable bytes
    are replaced rather than failing the read. Line ends are kept as they are (no
    universal-newline translation): an edit computed from this text must match the
    file's own.
    """
    if target.is_dir():
        raise IsADirectoryError(f"is a directory: {path}")
    if not target.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    return target.read_bytes().decode("utf-8", errors="replace")
