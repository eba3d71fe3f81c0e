"""Cross-outlet deduplication: exact copies and near-duplicates point at the earliest document."""

from db.store import save_document

WIRE = ("Chinese regulators have approved the first purchases of Nvidia's H200 processors by a handful of the "
        "country's largest technology companies, according to three people familiar with the decision, ending "
        "weeks of uncertainty for buyers who had placed orders late last year. The approvals cover several hundred "
        "thousand units and come with conditions that buyers also purchase domestically designed accelerators. "
        "The decision was taken during a visit to Shanghai by Nvidia's chief executive, the people said, asking not "
        "to be named because the matter is private. Other companies are expected to receive approvals in later "
        "batches. The commerce ministry did not respond to a request for comment, and Nvidia declined to comment. "
        "Washington cleared exports of the chip in December in exchange for a share of the revenue.")


def doc(url, text, published_at, title="China clears H200 imports"):
    return {"url": url, "kind": "article", "title": title, "text": text, "published_at": published_at}


def duplicate_of(db, document_id):
    return db["documents"].get(document_id)["duplicate_of"]


def test_syndicated_copy_points_at_the_earliest(fresh_db):
    original, _ = save_document(fresh_db, doc("http://wire.test/a", WIRE, "2026-01-28T03:20:00+00:00"))
    reprint = WIRE.replace("according to three people", "according to three sources").replace("late last year", "in December")
    copy, _ = save_document(fresh_db, doc("http://paper.test/b", "Reprinted from the wire.\n" + reprint, "2026-01-28T06:00:00+00:00"))
    assert duplicate_of(fresh_db, original) is None
    assert duplicate_of(fresh_db, copy) == original
    assert fresh_db["documents"].count == 2, "every URL is kept as evidence"


def test_exact_copy_by_content_hash_even_when_short(fresh_db):
    first, _ = save_document(fresh_db, doc("http://a.test/1", "Beijing halts H200 imports.", "2026-01-14"))
    second, _ = save_document(fresh_db, doc("http://b.test/2", "Beijing  halts H200 imports.", "2026-01-15"))
    assert duplicate_of(fresh_db, second) == first


def test_an_earlier_copy_found_later_becomes_the_original(fresh_db):
    late, _ = save_document(fresh_db, doc("http://late.test/x", WIRE, "2026-01-29T00:00:00+00:00"))
    later, _ = save_document(fresh_db, doc("http://later.test/y", WIRE + " Shares rose.", "2026-01-30T00:00:00+00:00"))
    early, _ = save_document(fresh_db, doc("http://early.test/z", WIRE + " Officials declined to comment.", "2026-01-28T00:00:00+00:00"))
    assert duplicate_of(fresh_db, early) is None
    assert duplicate_of(fresh_db, late) == early and duplicate_of(fresh_db, later) == early


def test_different_stories_are_not_duplicates(fresh_db):
    other = ("Customs officers in Shenzhen were told this week that Nvidia's H200 processors may not enter the "
             "country, and several logistics firms said shipments had been held at the border pending guidance from "
             "Beijing, in a sharp reversal of the signals buyers had received only days earlier from regulators.")
    first, _ = save_document(fresh_db, doc("http://a.test/1", WIRE, "2026-01-28"))
    second, _ = save_document(fresh_db, doc("http://b.test/2", other, "2026-01-14"))
    assert duplicate_of(fresh_db, first) is None and duplicate_of(fresh_db, second) is None
