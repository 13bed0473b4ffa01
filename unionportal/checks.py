"""System checks for what WeasyPrint needs from the machine (fonts, HarfBuzz-subset)."""

import ctypes.util
import shutil
import subprocess

from django.core.checks import Warning, register

APT_FIX = "apt-get install -y fonts-noto-cjk libharfbuzz-subset0 (or run `make run` as root)"


def cjk_font_families() -> list[str]:
    """Installed font families that cover Simplified Chinese, as fontconfig reports them."""
    if shutil.which("fc-list") is None:
        return []
    result = subprocess.run(
        ["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=10, check=False
    )
    return [line for line in result.stdout.splitlines() if line.strip()]


def harfbuzz_subset_available() -> bool:
    return ctypes.util.find_library("harfbuzz-subset") is not None


@register("unionportal")
def check_pdf_dependencies(app_configs=None, **kwargs):
    problems = []
    if not cjk_font_families():
        problems.append(
            Warning(
                "No font for Simplified Chinese is installed; PDFs would print empty boxes.",
                hint=f"Install Noto CJK: {APT_FIX}",
                id="unionportal.W001",
            )
        )
    if not harfbuzz_subset_available():
        problems.append(
            Warning(
                "WeasyPrint cannot find the HarfBuzz subsetting library; every PDF with Chinese "
                "text then takes more than ten times longer (fontTools fallback).",
                hint=f"Install libharfbuzz-subset0: {APT_FIX}",
                id="unionportal.W002",
            )
        )
    return problems
