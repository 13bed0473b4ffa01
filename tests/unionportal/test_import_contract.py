"""The layering is enforced: `lint-imports` (run by `make lint`) keeps every contract, and it
does fail when a contract is crossed."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT = shutil.which("lint-imports", path=str(Path(sys.executable).parent))


def _lint(*args):
    assert LINT is not None, "import-linter (a dev dependency) is not installed"
    return subprocess.run([LINT, "--no-cache", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_the_project_keeps_its_import_contracts():
    result = _lint()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " 0 broken" in result.stdout


def test_a_crossed_layer_fails(tmp_path):
    """The same tool on a contract the code does break (the gate imports the tree's models)."""
    config = tmp_path / "crossed.toml"
    config.write_text(
        '[tool.importlinter]\nroot_packages = ["unionportal", "orgs"]\n'
        '[[tool.importlinter.contracts]]\nname = "crossed"\ntype = "forbidden"\n'
        'source_modules = ["orgs.access"]\nforbidden_modules = ["orgs.models"]\n',
        encoding="utf-8")
    result = _lint("--config", str(config))
    assert result.returncode == 1
    assert "orgs.access -> orgs.models" in result.stdout
