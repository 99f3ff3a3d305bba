"""Both catalogues are complete, compiled, and cover every string the code marks for translation."""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ("zh_Hans", "en")
SOURCES = ("manage.py", "dms", "templates", "dealers", "orders", "logistics", "visits", "leads", "campaigns", "scoring")


def po_path(locale: str) -> Path:
    return ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"


def msgids(po: Path) -> set[str]:
    text = po.read_text(encoding="utf-8")
    ids = set()
    for block in text.split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        match = re.search(r'^msgid ((?:".*"\n?)+)', block, flags=re.M)
        if match:
            ids.add("".join(re.findall(r'"(.*)"', match.group(1))))
    ids.discard("")
    return ids


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_has_no_untranslated_or_fuzzy_entry(locale):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po_path(locale))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr
    assert "#, fuzzy" not in po_path(locale).read_text(encoding="utf-8").split("\n\n", 1)[1]


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_matches_the_source(locale, tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(po_path(locale))], check=True)
    with compiled.open("rb") as fresh, po_path(locale).with_suffix(".mo").open("rb") as committed:
        assert gettext.GNUTranslations(fresh)._catalog == gettext.GNUTranslations(committed)._catalog, (
            "run `make messages` and commit the .mo files"
        )


def test_english_catalogue_is_the_source_text():
    with po_path("en").with_suffix(".mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    # Keys of strings with a context are "context\x04msgid".
    wrong = {
        key: value
        for key, value in catalog.items()
        if key and isinstance(key, str) and key.rsplit("\x04", 1)[-1] != value
    }
    assert not wrong, f"English strings that differ from their source: {sorted(wrong)[:10]}"


def test_catalogue_covers_every_marked_string(tmp_path):
    """Extract the strings from a copy of the sources and compare with the committed catalogue."""
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans", "--no-obsolete", "--verbosity", "0"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    extracted = msgids(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    missing = extracted - msgids(po_path("zh_Hans"))
    assert not missing, f"strings not in the catalogue (run `make messages`): {sorted(missing)[:10]}"


@pytest.mark.django_db
def test_pages_speak_chinese_by_default():
    page = Client(HTTP_ACCEPT_LANGUAGE="").get("/accounts/login/").content.decode()
    assert 'lang="zh-hans"' in page and "登录" in page
