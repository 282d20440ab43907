"""Normalisation: repaired, NFC, no controls, paragraphs kept, quotes as written."""

from __future__ import annotations

import unicodedata

from newsflow.clean.normalize import count_words, normalize_line, normalize_text, to_paragraphs


def test_mojibake_is_repaired() -> None:
    assert normalize_text("the groupâ€™s fighters") == "the group’s fighters"


def test_smart_quotes_are_left_as_written() -> None:
    text = "“Fighting,” he said. 'Yes' and ‘no’"
    assert normalize_text(text) == text


def test_nfc() -> None:
    decomposed = "Cafe\u0301 de Flore"
    out = normalize_text(decomposed)
    assert out == "Café de Flore"
    assert unicodedata.is_normalized("NFC", out)


def test_control_characters_and_nul_removed() -> None:
    assert normalize_text("Ab\x00c\x07d\x1b e\ufeff\u200bf") == "Abcd ef"


def test_whitespace_collapsed_within_lines_paragraphs_kept() -> None:
    text = "  One\u00a0\u00a0two \t three  \r\n\r\n\r\n\r\nSecond   paragraph\u2028third line"
    assert normalize_text(text) == "One two three\n\nSecond paragraph\nthird line"


def test_zwnj_kept_for_persian() -> None:
    assert "\u200c" in normalize_text("می\u200cخواهم")


def test_normalize_line() -> None:
    assert normalize_line("  a \n b\u00a0 c ") == "a b c"


def test_to_paragraphs_one_paragraph_per_line() -> None:
    assert to_paragraphs(["First.", "Second.", "", "", "Third."]) == "First.\n\nSecond.\n\nThird."


def test_to_paragraphs_joins_hard_wrapped_blocks() -> None:
    block = [
        "The council voted on Tuesday to rebuild the old bridge across",
        "the river, ending a debate that had divided the town for more",
        "than ten years and delayed other projects in the district.",
    ]
    assert to_paragraphs(block) == " ".join(block)


def test_count_words() -> None:
    assert count_words("Hello, world: it's a state-of-the-art test.") == 6
    assert count_words("") == 0
    # Scripts without spaces count about two characters a word, not one word per sentence.
    assert count_words("中华人民共和国成立了") == 5
