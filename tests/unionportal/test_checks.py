"""System checks for fonts and HarfBuzz, and the production settings check."""

import os
import subprocess
import sys
from pathlib import Path

from unionportal import checks

ROOT = Path(__file__).resolve().parents[2]


def test_no_warnings_on_a_machine_set_up_by_make():
    assert checks.check_pdf_dependencies() == []


def test_missing_cjk_font_warns_with_the_fix(monkeypatch):
    monkeypatch.setattr(checks, "cjk_font_families", lambda: [])
    problems = checks.check_pdf_dependencies()
    assert [p.id for p in problems] == ["unionportal.W001"]
    assert "fonts-noto-cjk" in problems[0].hint


def test_missing_harfbuzz_subset_warns_with_the_fix(monkeypatch):
    monkeypatch.setattr(checks, "harfbuzz_subset_available", lambda: False)
    problems = checks.check_pdf_dependencies()
    assert [p.id for p in problems] == ["unionportal.W002"]
    assert "libharfbuzz-subset0" in problems[0].hint


def _manage(*args, **env):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_deploy_check_passes_with_production_settings():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k3y-" + "x7Qm2Lp9Rz4Vt8Nw1Ys6Hd3Jf5Gb0Kc" * 2,
        DJANGO_ALLOWED_HOSTS="portal.example.org",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://portal.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_flags_the_development_key():
    result = _manage("check", "--deploy", "--fail-level", "WARNING",
                     DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="portal.example.org")
    assert result.returncode != 0 and "security.W009" in result.stderr + result.stdout
