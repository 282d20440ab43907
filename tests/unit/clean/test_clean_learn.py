"""Per-source learning: furniture no fixed rule knows, found because it recurs across a source's articles."""

from __future__ import annotations

from newsflow.clean import clean_item, learn_boilerplate, learning_text, line_key
from newsflow.models import RawItem

FURNITURE_TOP = ["Gazette Plus: your county, your voice", "Tonight: quiz night at the Red Lion"]
FURNITURE_END = [
    "Got a story? Call the newsdesk on 01234 567890",
    "Gazette Plus members get 20% off at Bloom",
]


TOPICS = [
    "budget",
    "library",
    "bypass",
    "harbour",
    "school",
    "market",
    "hospital",
    "stadium",
    "airport",
    "museum",
]
PLACES = [
    "Ashford",
    "Bexley",
    "Carlton",
    "Dunmore",
    "Elmstead",
    "Fenwick",
    "Glenrock",
    "Hartley",
    "Ivybridge",
    "Kelso",
]


def story(n: int) -> list[str]:
    topic, place = TOPICS[n], PLACES[n]
    return [
        f"{place} {topic} plan approved",
        f"The council in {place} met on Monday to discuss the {topic} and agreed a plan after a long debate.",
        f"Residents of {place} told the meeting that the {topic} mattered more to them than anything else.",
        f"The leader said the {topic} plan for {place} would be published in full next week for comment.",
        f"Opposition members in {place} said they would study the {topic} plan before deciding how to vote.",
    ]


def page(n: int) -> str:
    lines = story(n)
    return "\n\n".join([*FURNITURE_TOP, *lines, *FURNITURE_END]).replace("01234", str(10000 + n))


def test_learns_recurring_furniture_and_not_stories() -> None:
    learned = learn_boilerplate([page(n) for n in range(6)])
    for line in FURNITURE_TOP + FURNITURE_END:
        assert line_key(line) in learned
    for n in range(6):
        for line in story(n):
            assert line_key(line) not in learned


def test_learned_lines_are_removed_by_clean_item() -> None:
    learned = learn_boilerplate([page(n) for n in range(6)])
    raw = RawItem(source="gazette", url="https://gazette.example/9", kind="text", body=page(9))
    without = clean_item(raw)
    assert "Gazette Plus" in without.text or "Gazette Plus" in without.title
    article = clean_item(raw, learned=learned)
    assert article.title == "Kelso museum plan approved"
    assert article.text == "\n\n".join(story(9)[1:])


def test_needs_enough_documents() -> None:
    assert learn_boilerplate([page(1), page(2)]) == frozenset()
    assert learn_boilerplate([page(1), page(2)], min_docs=2) != frozenset()


def test_versions_of_one_story_count_once() -> None:
    # Five fetches of the same story (one paragraph edited each time) must not teach its paragraphs.
    versions = [page(1).replace("next week", f"next week ({n})") for n in range(5)]
    learned = learn_boilerplate([*versions, page(2), page(3)], min_share=0.6)
    assert line_key(story(1)[1]) not in learned
    assert line_key(FURNITURE_TOP[0]) in learned


def test_max_lines_caps_the_result() -> None:
    assert len(learn_boilerplate([page(n) for n in range(6)], max_lines=2)) == 2


def test_line_key_folds_case_space_and_digits() -> None:
    assert line_key("  © 2024  Example\u00a0Times ") == line_key("© 2025 example times")


def html_page(n: int) -> str:
    paras = "".join(f"<p>{line}</p>" for line in [FURNITURE_TOP[0], *story(n)[1:], FURNITURE_END[1]])
    return (f"<html><head><title>{story(n)[0]}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>{story(n)[0]}</h1>{paras}</article></body></html>")  # fmt: skip


def test_learning_from_learning_text_is_stable_for_html_pages() -> None:
    raws = [
        RawItem(source="gazette", url=f"https://gazette.example/{n}", body=html_page(n)) for n in range(6)
    ]
    learned = learn_boilerplate([learning_text(r) for r in raws])
    assert line_key(FURNITURE_TOP[0]) in learned and line_key(FURNITURE_END[1]) in learned
    new = RawItem(source="gazette", url="https://gazette.example/9", body=html_page(9))
    assert "Gazette Plus" in clean_item(new).text
    article = clean_item(new, learned=learned)
    assert article.title == story(9)[0]
    assert article.text == "\n\n".join(story(9)[1:])
    # Learning again from the same items (not from the cleaned texts) gives the same lines.
    assert learn_boilerplate([learning_text(r) for r in raws]) == learned
