"""Text normalisation shared by every path through the clean stage.

Everything downstream (boilerplate rules, dedupe hashes, language detection,
the index) compares text, so it must be in one canonical form: repaired
mojibake, NFC, no control characters, single spaces inside a line and one blank
line between paragraphs. Quotes and dashes are left as the outlet wrote them:
they carry meaning in several languages and changing them would make our text
differ from the publisher's for no gain.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import ftfy
from ftfy.badness import is_bad
from ftfy.chardata import CONTROL_CHARS, LIGATURES

from newsflow.wordcount import count_words

# ftfy with the "as written" options: fix encodings, keep curly quotes and full-width forms.
_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False,
    fix_character_width=False,
    fix_latin_ligatures=True,
    normalization="NFC",
    explain=False,
)

# What ftfy's fixers other than the mojibake repair act on: HTML entities, terminal escapes,
# ligatures, its control characters, lone surrogates. A text without any of these that
# `is_bad` (ftfy's own mojibake detector, which `fix_encoding` consults first) finds clean
# would come out of `fix_text` as NFC with line breaks fixed, which we do below anyway.
_FTFY_TARGETS = re.compile(
    "[&\x1b\ud800-\udfff" + "".join(re.escape(chr(c)) for c in sorted({*CONTROL_CHARS, *LIGATURES})) + "]"
)


def needs_ftfy(text: str) -> bool:
    """False when `ftfy.fix_text` cannot change `text` beyond NFC and line breaks (the usual case).

    ftfy splits a text into lines and runs every fixer on each: about 2 ms per article,
    up to three times per article before this check.
    """
    return not text.isascii() and (bool(_FTFY_TARGETS.search(text)) or is_bad(text)) or "&" in text


# Characters that are invisible noise in news text. ZWJ/ZWNJ are kept: Persian, Indic
# scripts and emoji need them.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad\u180e"), None)
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
# C0/C1 controls except tab and newline (NUL included).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Every Unicode space (NBSP, thin, ideographic, ...) and tabs.
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_RUN = re.compile(r"\n{3,}")


@lru_cache(maxsize=4)  # extraction (judging the main text) and the text pass read the same text
def normalize_text(text: str) -> str:
    """Return `text` repaired and normalised, line structure preserved.

    Lines stay lines (the boilerplate rules work on them); runs of blank lines
    become one blank line. Use `to_paragraphs` for the final article text.
    """
    if not text:
        return ""
    text = _CONTROL.sub("", text.replace("\x00", ""))
    if needs_ftfy(text):  # pure ASCII or clean Unicode cannot be mojibake: skip the costly pass
        text = ftfy.fix_text(text, _FTFY)
    text = _LINE_BREAKS.sub("\n", text)
    text = text.translate(_INVISIBLE)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip()


def normalize_line(line: str) -> str:
    """One line, normalised as in `normalize_text` (no line breaks kept)."""
    if line.isascii() and line.isprintable() and "&" not in line:
        return " ".join(line.split())
    return " ".join(normalize_text(line).split())


_TERMINAL = re.compile(r"[.!?:;\"”’»)\]…。！？]$")


def _looks_hard_wrapped(block: list[str]) -> bool:
    """A block of fixed-width lines (e-mail, wire copy) that are one paragraph.

    Most lines do not end a sentence and have similar, moderate lengths.
    """
    if len(block) < 3:
        return False
    inner = block[:-1]
    if any(len(line) < 35 or len(line) > 110 for line in inner):
        return False
    open_ended = sum(1 for line in inner if not _TERMINAL.search(line))
    return open_ended * 3 >= len(inner) * 2


def to_paragraphs(lines: list[str]) -> str:
    """Join cleaned lines into the article text: one paragraph per line, blank line between.

    Blocks (lines without a blank line between them) that look hard-wrapped are
    joined into one paragraph; otherwise every line is its own paragraph, which
    is how both extractors and plain-text feeds deliver paragraphs.
    """
    paragraphs: list[str] = []
    block: list[str] = []

    def flush() -> None:
        if not block:
            return
        if _looks_hard_wrapped(block):
            paragraphs.append(" ".join(block))
        else:
            paragraphs.extend(block)
        block.clear()

    for line in lines:
        line = line.strip()
        if line:
            block.append(line)
        else:
            flush()
    flush()
    return "\n\n".join(paragraphs)


__all__ = [
    "count_words",
    "needs_ftfy",
    "normalize_line",
    "normalize_text",
    "to_paragraphs",
]  # count_words: the one shared
# counter (`newsflow.wordcount`), re-exported for old imports, never a second implementation
