"""The packages import one way: server → sandbox, training → sandbox, training → kernels."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_packages(package_dir: Path) -> set[str]:
    names: set[str] = set()
    for source in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
    return names


def test_sandbox_imports_no_other_punie_package():
    imported = imported_packages(ROOT / "sandbox" / "src")
    assert not imported & {"punie_server", "punie_training"}


def test_training_does_not_import_the_server():
    assert "punie_server" not in imported_packages(ROOT / "training" / "src")


def test_the_kernels_import_no_other_punie_package():
    imported = imported_packages(ROOT / "kernels" / "src")
    assert not imported & {"punie_server", "punie_training", "punie_sandbox"}
