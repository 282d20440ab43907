"""`newsflow process` output is a JSON-lines stream: nothing else may reach stdout.

YAKE prints "Warning: reading stopword list as ISO-8859-1" on stdout when it loads its
Slovak or Lithuanian list; a consumer reading the output as JSONL would break on it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

# Short texts we wrote (a mechanism test, not a quality claim), one per language.
TEXTS = {
    "sk": "Mestské zastupiteľstvo v pondelok schválilo nový rozpočet na budúci rok. Poslanci sa dlho "
    "sporili o peniaze na opravu ciest a škôl, ale nakoniec hlasovala väčšina za návrh primátora. "
    "Obyvatelia sa môžu tešiť na nové autobusy, lepšie osvetlenie ulíc a dlhšie otváracie hodiny "
    "knižnice. Opozícia kritizovala, že mesto si musí opäť požičať peniaze od banky.",
    "lt": "Miesto taryba pirmadienį patvirtino naują kitų metų biudžetą. Tarybos nariai ilgai ginčijosi "
    "dėl pinigų kelių ir mokyklų remontui, tačiau galiausiai dauguma balsavo už mero pasiūlymą. "
    "Gyventojai gali tikėtis naujų autobusų, geresnio gatvių apšvietimo ir ilgesnių bibliotekos "
    "darbo valandų. Opozicija kritikavo, kad miestas vėl turės skolintis pinigų iš banko.",
    "de": "Der Stadtrat hat am Montag den neuen Haushalt für das kommende Jahr beschlossen. Die "
    "Abgeordneten stritten lange über Geld für die Sanierung von Straßen und Schulen, doch am Ende "
    "stimmte eine Mehrheit für den Vorschlag des Bürgermeisters. Die Bewohner dürfen sich auf neue "
    "Busse, hellere Straßenlaternen und längere Öffnungszeiten der Bibliothek freuen.",
    "fr": "Le conseil municipal a adopté lundi le nouveau budget pour l'année prochaine. Les élus se sont "
    "longuement disputés sur l'argent destiné à la rénovation des routes et des écoles, mais une "
    "majorité a finalement voté pour la proposition du maire. Les habitants peuvent espérer de "
    "nouveaux bus, un meilleur éclairage des rues et des horaires prolongés à la bibliothèque.",
    "en": "The city council approved next year's budget on Monday after a long argument about money for "
    "repairing roads and schools. In the end a majority voted for the mayor's proposal. Residents "
    "can look forward to new buses, brighter street lights and longer opening hours at the library, "
    "while the opposition complained that the city will once again have to borrow from the bank.",
}


def test_every_stdout_line_is_json_in_a_multilingual_batch(tmp_path: Path):
    for lang, text in TEXTS.items():
        (tmp_path / f"{lang}.txt").write_text(f"Budget news ({lang})\n\n{text}\n", encoding="utf-8")
    newsflow = str(Path(sys.executable).with_name("newsflow"))
    proc = subprocess.run(
        [newsflow, "process", str(tmp_path)], capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    records = [json.loads(line) for line in lines]  # any non-JSON line fails here
    assert len(records) == len(TEXTS)
    assert {r["language"] for r in records} >= {"de", "fr", "en"}
    assert "ISO-8859-1" in proc.stderr, "the library's warning went to stderr, where it belongs"
