"""django-admin-interface and django-axes ship no Chinese: our catalogue must translate every label they have."""

import gettext
import re
from pathlib import Path

import admin_interface
import axes
import pytest
from django.conf import settings

OURS = Path(settings.BASE_DIR) / "config_center" / "locale" / "zh_Hans" / "LC_MESSAGES"


def _msgids(po_file: Path) -> set[str]:
    text = po_file.read_text(encoding="utf-8")
    ids = set()
    for block in re.findall(r'^msgid ((?:".*"\n)+)', text, flags=re.M):
        ids.add("".join(re.findall(r'"(.*)"', block)).replace('\\"', '"'))
    ids.discard("")
    return ids


@pytest.mark.parametrize("package", [admin_interface, axes], ids=["admin_interface", "axes"])
def test_every_label_of_untranslated_libraries_has_a_chinese_translation(package):
    theirs = _msgids(Path(package.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.po")
    with open(OURS / "django.mo", "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    missing = sorted(msgid for msgid in theirs if catalogue.gettext(msgid) == msgid)
    assert not missing


def test_compiled_catalogue_matches_its_source():
    with open(OURS / "django.mo", "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    assert all(catalogue.gettext(msgid) != msgid for msgid in _msgids(OURS / "django.po"))
