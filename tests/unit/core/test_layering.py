"""romcam.core is pure maths: it imports no video, model, UI or thread library, and no other
romcam layer (only romcam.core and romcam.errors)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import romcam.core

CORE_DIR = Path(romcam.core.__file__).parent
CORE_MODULES = sorted(CORE_DIR.glob("*.py"))
FORBIDDEN = {"cv2", "av", "mediapipe", "streamlit", "threading", "sqlalchemy", "PIL"}
ALLOWED_ROMCAM = ("romcam.core", "romcam.errors")


def _imported_names(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (at any depth of the file)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            if node.module == "romcam":
                names.update(f"romcam.{alias.name}" for alias in node.names)
    return names


def test_core_has_modules() -> None:
    assert len(CORE_MODULES) >= 10, CORE_MODULES


@pytest.mark.parametrize("path", CORE_MODULES, ids=lambda p: p.stem)
def test_core_module_imports_only_pure_libraries(path: Path) -> None:
    names = _imported_names(path)
    assert not {n.split(".")[0] for n in names} & FORBIDDEN, sorted(names)
    foreign = [
        n
        for n in names
        if n.split(".")[0] == "romcam" and n != "romcam" and not n.startswith(ALLOWED_ROMCAM)
    ]
    assert not foreign, f"{path.name} imports other romcam layers: {foreign}"


def test_importing_all_of_core_loads_no_heavy_library() -> None:
    modules = ", ".join(f"romcam.core.{p.stem}" for p in CORE_MODULES if p.stem != "__init__")
    code = (
        f"import sys, {modules}\n"
        "print(' '.join(sorted(m for m in ('cv2', 'av', 'mediapipe', 'streamlit', 'sqlalchemy')"
        " if m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""
