"""ty's findings as LSP diagnostics, and which files need clearing after a fix."""

from collections import defaultdict
from pathlib import Path

from lsprotocol import types as lsp

from punie_sandbox.models import TypeCheckError, TypeCheckResult

_SEVERITY = {
    "error": lsp.DiagnosticSeverity.Error,
    "warning": lsp.DiagnosticSeverity.Warning,
    "info": lsp.DiagnosticSeverity.Information,
}


def to_diagnostic(error: TypeCheckError) -> lsp.Diagnostic:
    """One ty finding as an LSP diagnostic (LSP positions are 0-based)."""
    line, column = max(error.line - 1, 0), max(error.column - 1, 0)
    return lsp.Diagnostic(
        range=lsp.Range(lsp.Position(line, column), lsp.Position(line, column + 1)),
        message=error.message,
        severity=_SEVERITY.get(error.severity.lower(), lsp.DiagnosticSeverity.Error),
        code=error.code,
        source="ty",
    )


class DiagnosticsBook:
    """Remembers which files carry ty diagnostics so a later run can clear them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._dirty: set[Path] = set()

    def publications(
        self, result: TypeCheckResult, checked: Path
    ) -> list[lsp.PublishDiagnosticsParams]:
        """What to publish after checking ``checked``: every reported file, and an
        empty list for each file under ``checked`` that had diagnostics and is now clean."""
        by_file: dict[Path, list[lsp.Diagnostic]] = defaultdict(list)
        for error in result.errors:
            by_file[(self.root / error.file).resolve()].append(to_diagnostic(error))
        cleared = {
            path for path in self._dirty if path not in by_file and path.is_relative_to(checked)
        }
        self._dirty = (self._dirty - cleared) | set(by_file)
        out = [
            lsp.PublishDiagnosticsParams(uri=path.as_uri(), diagnostics=diagnostics)
            for path, diagnostics in sorted(by_file.items())
        ]
        out += [
            lsp.PublishDiagnosticsParams(uri=p.as_uri(), diagnostics=[]) for p in sorted(cleared)
        ]
        return out
