from __future__ import annotations

import json
import logging

from newsflow.fetch.files import read_paths


def test_html_txt_and_jsonl(tmp_path):
    (tmp_path / "b.html").write_text("<html><body><p>Hello</p></body></html>", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Plain words here.", encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "c.htm").write_text("<p>nested</p>", encoding="utf-8")
    records = [
        {
            "url": "https://x.example/1",
            "html": "<p>one</p>",
            "title": "One",
            "published": "2026-11-20T08:00:00Z",
            "source": "wire",
        },
        {"text": "two words"},
    ]
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n\n", encoding="utf-8")

    items = list(read_paths([tmp_path], source="mine"))
    assert [(i.kind, i.path.rsplit("/", 1)[-1], i.line) for i in items] == [
        ("text", "a.txt", None),
        ("html", "b.html", None),
        ("html", "d.jsonl", 1),
        ("text", "d.jsonl", 2),
        ("html", "c.htm", None),
    ]
    txt, html, j1, j2, nested = items
    assert txt.body == "Plain words here."
    assert txt.url == (tmp_path / "a.txt").as_uri()
    assert txt.source == "mine" and txt.encoding == "utf-8"
    assert html.body.startswith("<html>")
    assert j1.url == "https://x.example/1"
    assert j1.feed_title == "One"
    assert j1.feed_published == "2026-11-20T08:00:00Z"
    assert j1.source == "wire"
    assert j2.url == (tmp_path / "d.jsonl").as_uri() + "#L2"
    assert j2.body == "two words" and j2.source == "mine"
    assert nested.body == "<p>nested</p>"
    assert all(not i.error for i in items)


def test_bad_jsonl_lines_become_errors(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"text": "fine"}\n{not json\n[1, 2]\n{"title": "no body"}\n', encoding="utf-8")
    items = list(read_paths([path]))
    assert [i.line for i in items] == [1, 2, 3, 4]
    assert items[0].error == ""
    assert items[1].error.startswith("feed.jsonl line 2: invalid JSON")
    assert items[1].url.endswith("#L2")
    assert items[2].error == "feed.jsonl line 3: expected a JSON object, got list"
    assert items[3].error == "feed.jsonl line 4: record has neither 'html' nor 'text'"
    assert all(i.source == "local" for i in items)


def test_undecodable_file_is_detected(tmp_path):
    text = "Le maire a déclaré que les élèves du lycée visiteraient la digue, fragilisée l'été dernier. " * 4
    (tmp_path / "latin.txt").write_bytes(text.encode("cp1252"))
    (item,) = read_paths([tmp_path / "latin.txt"])
    assert "déclaré" in item.body and "élèves" in item.body
    assert item.encoding and item.encoding != "utf-8"


def test_unknown_extensions_skipped(tmp_path, caplog):
    (tmp_path / "notes.md").write_text("# not news", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("hidden", encoding="utf-8")
    (tmp_path / "ok.txt").write_text("news", encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="newsflow.fetch"):
        items = list(read_paths([tmp_path]))
    assert [i.body for i in items] == ["news"]
    assert "notes.md" in caplog.text and "unknown file type" in caplog.text


def test_missing_path_is_an_error_item(tmp_path):
    (item,) = read_paths([tmp_path / "gone.txt"])
    assert item.error.startswith("file not found")
