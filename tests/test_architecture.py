"""The import structure (docs/architecture.md, "Layers"): import-linter's contracts in
pyproject.toml hold for forum/, and they fail when a change adds a cycle."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(project: Path) -> subprocess.CompletedProcess:
    """Run import-linter on ``project``'s forum package with its pyproject.toml."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache", str(project / "pyproject.toml")],
        cwd=project,
        # The forum package of ``project`` first, whatever is installed.
        env={**os.environ, "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_forum_keeps_the_import_contracts():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of forum/'s Python modules and the contracts, to break on purpose."""
    shutil.copytree(
        ROOT / "forum",
        tmp_path / "forum",
        ignore=shutil.ignore_patterns("templates", "static", "translations", "__pycache__"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert _lint(tmp_path).returncode == 0
    return tmp_path


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # site is below moderation; an import inside a function counts as much as any.
        (
            "site/services.py",
            "from forum.moderation import services",
            "No cycles are allowed in forum.",
        ),
        # Two modules of one package importing each other are a cycle too.
        ("auth/forms.py", "from forum.auth import views", "No cycles are allowed in forum.auth."),
        # No cycle, but auth and site sit side by side in one layer and stay apart.
        ("auth/services.py", "from forum.site import services", "Domain packages in layers"),
        # Models stay data, even where no cycle results.
        ("site/models.py", "from forum.site import services", "Models are data"),
        # The core uses no domain package.
        ("markdown.py", "from forum.site import services", "The core (the modules"),
    ],
)
def test_a_new_dependency_against_the_structure_breaks_a_contract(project, module, line, broken):
    path = project / "forum" / module
    path.write_text(path.read_text() + f"\n\ndef _added():\n    {line}  # noqa\n")
    result = _lint(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken in result.stdout.split("Broken contracts")[-1], result.stdout
