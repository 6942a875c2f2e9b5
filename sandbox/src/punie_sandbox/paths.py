"""Confining paths to one directory tree (the workspace), and telling which writes steer
tools that run later."""

import unicodedata
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
    """``resolve_inside`` for writes: git's own files (any ``.git`` component, under any
    spelling git itself would accept, see ``is_git_name``) are refused too, because git
    config can name programs (``core.fsmonitor``, filters) that git would run."""
    target = resolve_inside(root, path)
    parts = [*Path(path).parts, *target.relative_to(root.resolve()).parts]
    if any(is_git_name(part) for part in parts):
        raise PermissionError(f"writing git's own files is not allowed: {path}")
    return target


def is_git_name(name: str) -> bool:
    """Whether git would take ``name`` for ``.git``: case aside, with Unicode characters
    that do not show (zero-width, direction marks: macOS ignores them) removed, trailing
    dots and spaces and an NTFS stream name (``.git::$DATA``) dropped, or as Windows'
    short name ``git~1``."""
    shown = "".join(
        char
        for char in unicodedata.normalize("NFC", name)
        if unicodedata.category(char) != "Cf" and not 0xFE00 <= ord(char) <= 0xFE0F
    )
    plain = shown.casefold().split(":", 1)[0].rstrip(". ")
    return plain in {".git", "git~1"}


# Files that tools read later and act on by themselves: writing one decides what runs
# the next time the user opens the folder, runs the tests or starts Python.
_STEERING_NAMES = {
    ".envrc": "direnv runs it when you enter the directory",
    "conftest.py": "pytest imports it whenever tests run below it",
    "sitecustomize.py": "Python runs it at start-up",
    "usercustomize.py": "Python runs it at start-up",
    ".pre-commit-config.yaml": "pre-commit runs the hooks it names on every commit",
    ".gitmodules": "git fetches and checks out the repositories it names",
    ".gitattributes": "git runs the filters and diff drivers it names",
    ".nvim.lua": "Neovim runs it when it opens the directory (with 'exrc')",
    ".nvimrc": "Neovim runs it when it opens the directory (with 'exrc')",
    ".exrc": "Vim and Neovim run it when they open the directory (with 'exrc')",
    "head": "git takes a directory with HEAD, objects/ and refs/ for a repository",
}
_STEERING_DIRS = {
    ".vscode": "VS Code reads settings and tasks from it, and both can run programs",
    ".devcontainer": "a dev container runs the commands it names when it is built",
    ".idea": "JetBrains IDEs read run configurations from it",
}


def steering_reason(root: Path, target: Path) -> str | None:
    """Why writing ``target`` (already confined to ``root``) steers tools that run later,
    or None for an ordinary file. Such a write is never approved by a setting: the
    user is asked each time (the reason says why)."""
    base = root.resolve()
    relative = target.relative_to(base)
    name = relative.name.casefold()
    if name in _STEERING_NAMES:
        return _STEERING_NAMES[name]
    if name.endswith(".pth"):
        return "Python runs its import lines at start-up when it is in site-packages"
    if name.endswith(".code-workspace"):
        return "VS Code reads settings and tasks from it, and both can run programs"
    for part in relative.parts[:-1]:
        if part.casefold() in _STEERING_DIRS:
            return _STEERING_DIRS[part.casefold()]
    for directory in [target.parent, *target.parent.parents]:
        if (directory / "pyvenv.cfg").is_file():
            return f"it is inside the virtual environment {_shown(directory, base)}, which runs it"
        if _is_git_directory(directory):
            return f"{_shown(directory, base)} is a git repository's own directory"
        if directory == base:
            break
    return None


def _is_git_directory(directory: Path) -> bool:
    # What git checks to take a directory for a repository (bare, or a gitfile's target).
    return (
        (directory / "HEAD").is_file()
        and (directory / "objects").is_dir()
        and (directory / "refs").is_dir()
    )


def _shown(directory: Path, base: Path) -> str:
    return "the workspace root" if directory == base else str(directory.relative_to(base))


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
