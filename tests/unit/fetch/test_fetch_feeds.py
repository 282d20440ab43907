from __future__ import annotations

import pytest

from newsflow.fetch.feeds import FeedError, parse_feed

BASE = "https://news.example/feeds/main.xml"

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Example</title>
    <link>https://news.example/</link>
    <item>
      <title>Harbour &amp; quay: new rules</title>
      <link>https://news.example/a/1.html</link>
      <guid isPermaLink="false">item-1</guid>
      <pubDate>Fri, 20 Nov 2026 09:30:00 +0100</pubDate>
      <dc:creator>Jo Writer</dc:creator>
      <category>Local</category>
      <description>&lt;p&gt;The &lt;b&gt;summary&lt;/b&gt; text.&lt;/p&gt;</description>
    </item>
    <item>
      <title>Second</title>
      <link>https://news.example/a/2.html</link>
    </item>
  </channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atom example</title>
  <id>tag:news.example,2026:feed</id>
  <updated>2026-11-20T12:00:00Z</updated>
  <entry>
    <title>Bridge opens</title>
    <link rel="alternate" href="https://news.example/b/bridge.html"/>
    <id>tag:news.example,2026:bridge</id>
    <published>2026-11-20T12:30:00+01:00</published>
    <updated>2026-11-20T13:00:00+01:00</updated>
    <author><name>Lena T.</name></author>
    <category term="City"/>
    <summary>Eighty-six metres of steel.</summary>
  </entry>
</feed>
"""


def test_rss():
    entries = parse_feed(RSS.encode(), BASE)
    assert [e.link for e in entries] == ["https://news.example/a/1.html", "https://news.example/a/2.html"]
    first = entries[0]
    assert first.title == "Harbour & quay: new rules"
    assert first.summary == "The summary text."
    assert first.published == "2026-11-20T08:30:00+00:00"
    assert first.author == "Jo Writer"
    assert first.section == "Local"
    assert first.guid == "item-1"
    assert entries[1].published == ""


def test_atom():
    (entry,) = parse_feed(ATOM, BASE)
    assert entry.link == "https://news.example/b/bridge.html"
    assert entry.title == "Bridge opens"
    assert entry.published == "2026-11-20T11:30:00+00:00"
    assert entry.author == "Lena T."
    assert entry.section == "City"
    assert entry.guid == "tag:news.example,2026:bridge"


def test_str_with_legacy_encoding_declaration():
    text = RSS.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace("Second", "Deuxième été")
    entries = parse_feed(text, BASE)
    assert entries[1].title == "Deuxième été"


def test_bytes_in_legacy_encoding():
    text = RSS.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace("Second", "Deuxième été")
    entries = parse_feed(text.encode("latin-1"), BASE)
    assert entries[1].title == "Deuxième été"


def test_relative_links_resolved():
    feed = RSS.replace("https://news.example/a/1.html", "/a/rel-1.html").replace(
        "https://news.example/a/2.html", "rel-2.html"
    )
    links = [e.link for e in parse_feed(feed, BASE)]
    assert links == ["https://news.example/a/rel-1.html", "https://news.example/feeds/rel-2.html"]


def test_duplicate_items_dropped():
    item = RSS.split("<item>")[2].split("</item>")[0]
    feed = RSS.replace("</channel>", f"<item>{item}</item><item>{item}</item></channel>")
    links = [e.link for e in parse_feed(feed, BASE)]
    assert links == ["https://news.example/a/1.html", "https://news.example/a/2.html"]


def test_entries_without_link_skipped():
    feed = RSS.replace("<link>https://news.example/a/2.html</link>", "")
    assert [e.link for e in parse_feed(feed, BASE)] == ["https://news.example/a/1.html"]


def test_empty_feed():
    feed = '<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    assert parse_feed(feed, BASE) == []


def test_malformed_xml_rejected():
    with pytest.raises(FeedError, match="malformed feed"):
        parse_feed('<?xml version="1.0"?><rss version="2.0"><channel><title>Broken & bad</ti', BASE)


def test_well_formed_enough_feed_accepted():
    # an unescaped ampersand makes the XML invalid, but the entries are recoverable
    feed = RSS.replace("<title>Second</title>", "<title>Fish & chips</title>")
    entries = parse_feed(feed, BASE)
    assert [e.title for e in entries] == ["Harbour & quay: new rules", "Fish & chips"]


def test_html_instead_of_rss():
    page = "<!DOCTYPE html><html><head><title>Home</title></head><body><a href='/a'>News</a></body></html>"
    with pytest.raises(FeedError, match="HTML page"):
        parse_feed(page, BASE)


def test_not_a_feed():
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed("just some words", BASE)
    with pytest.raises(FeedError, match="empty"):
        parse_feed(b"  ", BASE)


def test_entity_expansion_refused():
    bomb = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss version="2.0"><channel><title>&lol3;</title>
<item><title>&lol3;</title><link>https://news.example/x</link></item></channel></rss>"""
    with pytest.raises(FeedError, match="entities"):
        parse_feed(bomb, BASE)


def test_external_entity_refused():
    xxe = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&xxe;</title><link>https://news.example/x</link></item></channel></rss>"""
    with pytest.raises(FeedError, match="entities"):
        parse_feed(xxe.encode(), BASE)


def test_the_feeds_language_reaches_each_entry():
    """RSS `<language>` (and Atom's xml:lang) is the declared language enrichment takes as a prior."""
    rss = RSS.replace("<title>Example</title>", "<title>Example</title><language>is</language>")
    assert [e.language for e in parse_feed(rss.encode(), BASE)] == ["is", "is"]
    atom = ATOM.replace(
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zu">',
    )
    assert [e.language for e in parse_feed(atom, BASE)] == ["zu"]
    assert [e.language for e in parse_feed(RSS.encode(), BASE)] == ["", ""]


def test_fetched_items_carry_the_feeds_language_for_enrichment(server, settings):
    from newsflow.fetch import fetch_source
    from newsflow.sources import Source

    from .conftest import Reply

    page = b"<html><body><article><p>Fictional words.</p></article></body></html>"
    link = server.route("/a/1.html", Reply(200, page, {"Content-Type": "text/html; charset=utf-8"}))
    feed = RSS.replace("<title>Example</title>", "<title>Example</title><language>is</language>")
    feed = feed.replace("https://news.example/a/1.html", link).replace(
        "<item>\n      <title>Second</title>\n      <link>https://news.example/a/2.html</link>\n    </item>",
        "",
    )
    url = server.route("/feed.xml", Reply(200, feed.encode(), {"Content-Type": "application/rss+xml"}))
    (item,) = list(fetch_source(Source(name="islandic", type="rss", url=url), settings))
    assert item.source_meta["feed_language"] == "is" and not item.error
