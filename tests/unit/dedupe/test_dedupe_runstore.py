"""The compact run store answers exactly as `MemoryStore` does, across merges of its key arrays."""

from __future__ import annotations

import random

import pytest

from newsflow.dedupe import runstore
from newsflow.dedupe.minhash import lsh_keys
from newsflow.dedupe.runstore import RunStore, pack_key
from newsflow.dedupe.store import MemoryStore


def _record(rng: random.Random, doc_id: str, base: list[int] | None) -> dict[str, object]:
    # Copies share most signature slots with their base, so they share band keys.
    minhash = [
        v if base is not None and rng.random() < 0.9 else rng.randrange(2**31) for v in (base or [0] * 256)
    ]
    return {
        "id": doc_id,
        "cluster_id": doc_id,
        "text_hash": f"h{rng.randrange(40)}",
        "minhash": minhash,
        "shingle_count": 100,
        "lsh": lsh_keys(minhash),
    }


def test_pack_key_separates_bands_and_foreign_keys() -> None:
    assert pack_key("b017_3fa29c0d11e2") == (17 << 48) | 0x3FA29C0D11E2
    assert pack_key("b017_3fa29c0d11e2") != pack_key("b018_3fa29c0d11e2")
    assert pack_key("some-other-key") >= 1 << 63


@pytest.mark.parametrize("pending", [7, 300, 65_536])
def test_same_answers_as_memory_store(monkeypatch: pytest.MonkeyPatch, pending: int) -> None:
    monkeypatch.setattr(runstore, "PENDING_KEYS", pending)  # small: many merges of the sorted arrays
    rng = random.Random(pending)
    compact, memory = RunStore(), MemoryStore()
    bases: list[list[int]] = []
    found = 0
    for _ in range(120):
        base = rng.choice(bases) if bases and rng.random() < 0.4 else None
        doc_id = f"d{rng.randrange(100):03d}"  # some ids come back: the newer record replaces the older
        rec = _record(rng, doc_id, base)
        bases.append(rec["minhash"])  # type: ignore[arg-type]
        compact.add([rec])
        memory.add([rec])
        probe = _record(rng, "probe", rng.choice(bases))["lsh"]
        for limit in (1, 5, 50):  # 1 and 5 cut through ties of equal key counts
            got = [(r["id"], list(r["minhash"])) for r in compact.by_lsh(probe, limit=limit)]  # type: ignore[arg-type]
            want = [(r["id"], list(r["minhash"])) for r in memory.by_lsh(probe, limit=limit)]
            assert got == want
        found += len(got)
    assert found > 120  # the probes did find candidates: the comparison is not of empty lists
    hashes = [f"h{i}" for i in range(45)]
    assert {h: r["id"] for h, r in compact.by_text_hashes(hashes).items()} == {
        h: r["id"] for h, r in memory.by_text_hashes(hashes).items()
    }
    ids = [f"d{i:03d}" for i in range(100)]
    assert compact.by_ids(ids).keys() == memory.by_ids(ids).keys()
    assert len(compact) == len(memory) and ("d000" in compact) == ("d000" in memory)
    assert all("lsh" not in r for r in compact.by_ids(ids).values())
