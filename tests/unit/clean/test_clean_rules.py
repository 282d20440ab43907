"""Each named boilerplate rule, and the byline/footer/dateline parsers behind the metadata rules."""

from __future__ import annotations

import pytest

from newsflow.clean.boilerplate import RULES, strip_boilerplate
from newsflow.clean.footer import parse_byline, parse_date, parse_dateline, parse_footer

STORY = [
    "The council voted on Tuesday to rebuild the old bridge across the river, ending a long debate.",
    "",
    "Engineers said the work would take two summers and that a ferry would run in the meantime.",
    "",
    "The mayor said the vote was the most important of her term and thanked residents for their patience.",
    "",
    "Work is due to start in the spring, once the river is low enough for the first piers to go in.",
]


def strip(lines: list[str]) -> tuple[str, list[tuple[str, str]]]:
    result = strip_boilerplate("\n".join(lines))
    return "\n".join(result.lines), [(r.rule, r.line) for r in result.removed]


def rules_hit(lines: list[str]) -> set[str]:
    return {rule for rule, _ in strip(lines)[1]}


def assert_story_kept(text: str) -> None:
    for line in STORY:
        if line:
            assert line in text


def test_rule_table_names_are_unique_and_explained() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    assert all(r.why for r in RULES)


def test_clean_story_is_untouched() -> None:
    text, removed = strip(STORY)
    assert removed == []
    assert text == "\n".join(STORY)


@pytest.mark.parametrize(
    "widget",
    ["Remember meForgot password?", "Log in with Twitter", "Sign in | Register", "Forgot your password?"],
)
def test_login_widget(widget: str) -> None:
    text, removed = strip([widget, "", *STORY])
    assert widget not in text
    assert removed[0][0] == "login_widget"
    assert_story_kept(text)


@pytest.mark.parametrize("widget", ["Share this article", "Facebook Twitter WhatsApp Email", "12 comments"])
def test_share_widget(widget: str) -> None:
    text, removed = strip([*STORY, "", widget])
    assert widget not in text
    assert_story_kept(text)


@pytest.mark.parametrize(
    "line",
    ["Advertisement", "Story continues below advertisement", "© 2024 Example Media. All rights reserved.",
     "Sign up for our daily newsletter", "Subscribe to continue reading"],
)  # fmt: skip
def test_site_furniture(line: str) -> None:
    text, _ = strip([STORY[0], "", line, "", *STORY[2:]])
    assert line not in text
    assert_story_kept(text)


def test_read_more_insert_with_rule_lines_and_teaser_title() -> None:
    lines = [*STORY[:4], "______________", "", "Read more:", "", "Floods close the coastal road", "",
             "______________", "", *STORY[4:]]  # fmt: skip
    text, removed = strip(lines)
    assert "Read more" not in text and "Floods close" not in text and "___" not in text
    assert {r for r, _ in removed} == {"rule_line", "related_links"}
    assert_story_kept(text)


def test_inline_related_link() -> None:
    text, _ = strip([STORY[0], "Related: Floods close the coastal road", *STORY[1:]])
    assert "Floods" not in text
    assert_story_kept(text)


def test_related_heading_does_not_eat_a_story_sentence() -> None:
    lines = [STORY[0], "", "Related", "", "The mayor said she was pleased.", "", *STORY[2:]]
    text, _ = strip(lines)
    assert "Related" not in text
    assert "The mayor said she was pleased." in text


def test_latest_news_footer_list() -> None:
    lines = [*STORY, "", "Latest News", "Bridge reopens after storm", "Schools close early", "", "Top News"]
    text, _ = strip(lines)
    assert "Latest News" not in text and "Top News" not in text and "Schools close" not in text
    assert_story_kept(text)


def test_photo_credit_removes_caption_block_in_paragraphed_text() -> None:
    lines = [STORY[0], "", "A man walks past a flooded shop on May 4, 2024.",
             "Water rose overnight in the town centre. / AFP PHOTO / STRINGER", "", *STORY[2:]]  # fmt: skip
    text, removed = strip(lines)
    assert "AFP PHOTO" not in text and "flooded shop" not in text
    assert {r for r, _ in removed} == {"photo_caption"}
    assert_story_kept(text)


@pytest.mark.parametrize(
    "credit",
    ["Rescuers search the rubble (Photo: Reuters)", "A flooded street. Photo: John Smith/AFP",
     "The bridge at dawn (AFP/File)"],
)  # fmt: skip
def test_photo_credit_variants(credit: str) -> None:
    assert rules_hit([*STORY, "", credit]) == {"photo_caption"}


def test_photo_in_a_sentence_is_not_a_credit() -> None:
    line = "He showed reporters a photo by the river where the bridge used to stand."
    assert rules_hit([*STORY, "", line]) == set()


def test_machine_translation_notice() -> None:
    text, removed = strip(["Powered by automated translation", "", *STORY])
    assert removed == [("machine_translation", "Powered by automated translation")]


def test_caption_pair_repeated_line() -> None:
    lines = [STORY[0], "", "Army retakes the city", "Army retakes the city", "", *STORY[2:]]
    text, removed = strip(lines)
    assert "Army retakes" not in text
    assert [r for r, _ in removed] == ["caption_pair", "caption_pair"]


def test_caption_pair_truncated_then_full() -> None:
    short = "Rescue workers carry a woman through the flooded streets of the old to..."
    full = "Rescue workers carry a woman through the flooded streets of the old town on Monday, May 6, 2024"
    text, _ = strip([STORY[0], "", short, full, "", *STORY[2:]])
    assert "Rescue workers" not in text
    assert_story_kept(text)


def test_image_alt_prefix_is_cut_from_the_headline() -> None:
    text, removed = strip(["article imageCouncil votes to rebuild bridge", "", *STORY])
    assert text.startswith("Council votes to rebuild bridge\n")
    assert removed == [("image_alt_prefix", "article image")]


def test_tag_list_footer() -> None:
    text, _ = strip([*STORY, "", "More about Bridge, Council, River", "Tags: floods, transport"])
    assert "More about" not in text and "Tags" not in text


def test_teaser_list_after_the_story() -> None:
    teasers = []
    for n in range(3):
        teasers += [f"Other headline {n}", f"Updated {10 + n} Jan 2021", "", f"Other headline {n}", "",
                    f"A short lede about another story number {n}."]  # fmt: skip
    text, removed = strip([*STORY, "", *teasers])
    assert text == "\n".join(STORY)
    assert {r for r, _ in removed} == {"teaser_list"}


def test_single_date_line_in_the_body_is_not_a_teaser_list() -> None:
    lines = [*STORY[:4], "Other headline", "18 Jan 2021", *STORY[4:]]
    text, removed = strip(lines)
    assert "Other headline" in text
    assert [r for r, _ in removed] == ["date_line"]


def test_byline_becomes_metadata() -> None:
    result = strip_boilerplate(
        "\n".join(["Bridge to be rebuilt", "", "By AFP   Nov 8, 2017 in World", "", *STORY])
    )
    assert "By AFP" not in "\n".join(result.lines)
    assert result.credits.agency == ["AFP"]
    assert result.credits.published_at == "2017-11-08"
    assert result.credits.section == "World"


def test_head_date_line_becomes_published_at() -> None:
    result = strip_boilerplate("\n".join(["Published: 5 March 2024", "", *STORY]))
    assert result.credits.published_at == "2024-03-05"
    assert result.lines[0] == STORY[0]


def test_published_in_footer() -> None:
    result = strip_boilerplate("\n".join([*STORY, "", "Published in Dawn, November 5th, 2017"]))
    assert result.credits.publisher == "Dawn"
    assert result.credits.published_at == "2017-11-05"
    assert "\n".join(result.lines) == "\n".join(STORY)


@pytest.mark.parametrize(
    ("footer", "agency", "publisher"),
    [("Source: AFP", ["AFP"], ""), ("Souece: AFP", ["AFP"], ""), ("Sources: AFP, Reuters", ["AFP", "Reuters"], ""),
     ("Source: Dawn", [], "Dawn"), ("— Reuters", ["Reuters"], ""), ("(AP)", ["AP"], "")],
)  # fmt: skip
def test_source_footer(footer: str, agency: list[str], publisher: str) -> None:
    result = strip_boilerplate("\n".join([*STORY, footer]))
    assert result.credits.agency == agency
    assert result.credits.publisher == publisher
    assert "\n".join(result.lines) == "\n".join(STORY)


def test_source_line_mid_story_is_not_a_footer() -> None:
    lines = [STORY[0], "Source: World Bank", *STORY]
    result = strip_boilerplate("\n".join(lines))
    assert "Source: World Bank" in result.lines
    assert result.credits.publisher == ""


def test_reporting_credits_become_authors() -> None:
    result = strip_boilerplate("\n".join([*STORY, "(Reporting by Jane Doe; Editing by John Smith)"]))
    assert result.credits.authors == ["Jane Doe"]
    assert "Reporting" not in "\n".join(result.lines)


def test_parse_byline_rejects_sentences() -> None:
    assert parse_byline("By the time the troops arrived, the town was empty") is None
    credits = parse_byline("By John Smith and Jane Doe, Reuters")
    assert credits is not None
    assert credits.authors == ["John Smith", "Jane Doe"] and credits.agency == ["Reuters"]


def test_parse_footer_ignores_other_colons() -> None:
    assert parse_footer("Sauce: tomato and basil") is None
    assert parse_footer("Note: the figures are provisional") is None


@pytest.mark.parametrize(
    ("paragraph", "place", "agency"),
    [("DEIR EZZOR: Syrian forces advanced.", "DEIR EZZOR", []),
     ("PARIS, France, Nov 5 (AFP) - The talks resumed.", "PARIS, France", ["AFP"]),
     ("Beirut (Reuters) — The talks resumed.", "Beirut", ["Reuters"])],
)  # fmt: skip
def test_parse_dateline(paragraph: str, place: str, agency: list[str]) -> None:
    parsed = parse_dateline(paragraph)
    assert parsed is not None
    assert (parsed.place, parsed.agency) == (place, agency)
    assert parsed.rest.startswith(("Syrian", "The"))


@pytest.mark.parametrize(
    "paragraph",
    ["UPDATE: The talks resumed.", "US-led forces advanced.", "AGRICULTURE is the lifeline of the economy.",
     "Paris - the city of light."],
)  # fmt: skip
def test_not_a_dateline(paragraph: str) -> None:
    assert parse_dateline(paragraph) is None


def test_parse_date() -> None:
    assert parse_date("Nov 8, 2017") == "2017-11-08"
    assert parse_date("2024-03-05T08:30:00+01:00") == "2024-03-05T08:30:00+01:00"
    assert parse_date("not a date") is None
    assert parse_date("1850-01-01") is None
