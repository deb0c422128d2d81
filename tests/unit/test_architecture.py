"""PySide6 stays in caseworker/gui/: the domain packages are importable and testable without Qt."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "caseworker"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_pyside6_only_in_gui() -> None:
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if "gui" not in path.relative_to(PACKAGE).parts[:1]
        and {"PySide6", "shiboken6"} & _imports(path)
    ]
    assert offenders == []


def test_the_scan_sees_gui_imports() -> None:
    gui_files = list((PACKAGE / "gui").rglob("*.py"))
    assert gui_files, "caseworker/gui has no modules"
    assert any("PySide6" in _imports(p) for p in gui_files)


def test_domain_does_not_import_front_ends() -> None:
    for package in ("core", "store", "registry", "policy", "recognition", "forms", "i18n"):
        for path in (PACKAGE / package).rglob("*.py"):
            modules = _imports(path)
            text = path.read_text(encoding="utf-8")
            assert "caseworker.gui" not in text, path
            assert "caseworker.commands" not in text, path
            assert "caseworker.cli" not in text, path
            assert "PySide6" not in modules, path
