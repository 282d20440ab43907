from newsflow.ledger import Ledger, reason_category
from newsflow.models import Article


def _art(
    status: str, reason: str = "", source: str = "a", canonical: bool = True, lang: str = "en"
) -> Article:
    return Article(status=status, reason=reason, source=source, is_canonical=canonical, language=lang)


def test_counts_add_up_and_break_down_by_reason_and_source():
    ledger = Ledger(run_id="r1").extend(
        [
            _art("new"),
            _art("new", canonical=False, source="b"),
            _art("updated"),
            _art("unchanged"),
            _art("duplicate", "exact: copy of x"),
            _art("rejected", "too_short: 3 words < 40", lang="fr"),
            _art("rejected", "interstitial: cookie consent", source="b"),
        ]
    )
    assert (ledger.fetched, ledger.new, ledger.updated, ledger.unchanged) == (7, 2, 1, 1)
    assert (ledger.duplicates, ledger.rejected, ledger.clustered) == (1, 2, 1)
    assert ledger.balanced
    assert ledger.rejected_by_reason == {"too_short": 1, "interstitial": 1}
    assert ledger.duplicates_by_reason == {"exact": 1}
    assert ledger.rejected_by_language == {"fr": 1, "en": 1}
    assert ledger.per_source["b"] == {
        "fetched": 2,
        "new": 1,
        "updated": 0,
        "unchanged": 0,
        "duplicate": 0,
        "rejected": 1,
    }
    table = ledger.format_table()
    assert "adds up" in table and "TOTAL" in table and "too_short 1" in table


def test_an_item_without_decision_is_counted_as_rejected_not_lost():
    art = _art("")
    ledger = Ledger().extend([art])
    assert ledger.rejected == 1 and ledger.balanced
    assert art.reason.startswith("no_decision")


def test_reason_category():
    assert reason_category("fetch_error: HTTP 404") == "fetch_error"
    assert reason_category("") == "unknown"


def test_failed_sources_are_listed():
    ledger = Ledger(run_id="r")
    ledger.sources_failed["wire"] = "ConnectionError: refused"
    assert "SOURCE FAILED wire: ConnectionError: refused" in ledger.format_table()
    assert ledger.to_dict()["sources_failed"] == {"wire": "ConnectionError: refused"}
