"""The stance classifier: splitter, corpus validation, model behaviour, quality gate, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classifier.config import LABELS
from classifier.corpus import load_corpus, read_jsonl, split_frozen
from classifier.evaluate import evaluate_rows
from classifier.features import CharNgramTfidf, cue_counts
from classifier.sentences import split_passages, split_sentences
from classifier.validate import validate
from tests.conftest import SHARED, run_cli

GATE = json.loads((Path(__file__).parent / "eval_baseline.json").read_text())
EPSILON = 0.01  # run-to-run noise allowance; lowering a floor takes a deliberate edit of eval_baseline.json
DEV_SET = SHARED / "data" / "stance_dev.jsonl"
SEED = SHARED / "seed" / "000_f1dee7c10a891e06.txt"


@pytest.mark.parametrize("text,expected", [
    ("The U.S. Commerce Department said Nvidia Corp. may ship the H20. Sales resume next week.",
     ["The U.S. Commerce Department said Nvidia Corp. may ship the H20.", "Sales resume next week."]),
    ('"We will not block it," an official said. Shipments of No. 2 product fell 1.5% in Q3!',
     ['"We will not block it," an official said.', "Shipments of No. 2 product fell 1.5% in Q3!"]),
    ("Jensen H. Huang visited Shanghai. Китай одобрил покупку чипов H200. Ведомство не комментирует.",
     ["Jensen H. Huang visited Shanghai.", "Китай одобрил покупку чипов H200.", "Ведомство не комментирует."]),
    ("Headline without a stop\nBody line one. Body line two.", ["Headline without a stop", "Body line one.", "Body line two."]),
])
def test_sentence_splitter(text, expected):
    assert split_sentences(text) == expected


def test_short_sentences_are_joined_to_a_neighbour():
    assert split_passages("SINGAPORE (Wire). China approved the first purchases of the chips on Friday.") == [
        "SINGAPORE (Wire). China approved the first purchases of the chips on Friday."]


def test_cue_features_are_negation_aware():
    assert cue_counts("Customs did not block the shipment.")["not_ban"] == 1
    assert cue_counts("Customs blocked the shipment.")["ban"] == 1
    assert cue_counts("The US lifted its April ban on H20 sales.")["reversal_permit"] == 1
    assert cue_counts("China approved purchases on condition that buyers also take domestic chips.")["condition_limit"] == 1


def test_cue_features_read_reversals_by_where_they_go():
    assert cue_counts("Tokyo has withdrawn last year's curbs on resist exports.")["reversal_permit"] == 1
    assert cue_counts("The ministry revoked two of the exporter's licences for immersion scanners.")["revoked_permission"] == 1
    assert cue_counts("Commerce took a dozen research institutes off the Entity List.")["delisted_permit"] == 1
    assert cue_counts("The Commerce Department added a dozen institutes to the Entity List.")["delisted_permit"] == 0


def test_cue_features_mark_trade_measures_on_other_goods():
    assert cue_counts("Jakarta banned exports of raw nickel ore from January.")["other_goods_only"] == 1
    assert cue_counts("Jakarta banned exports of nickel and of used chip-making equipment.")["other_goods_only"] == 0
    assert cue_counts("Regulators shut foreign accelerators out of state data centres.")["idiom_ban"] == 1
    assert cue_counts("Regulators shut out foreign accelerators from state data centres.")["idiom_ban"] == 1


def test_char_ngram_features_match_scikit_learns_char_wb():
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [r["text"] for r in load_corpus().passages[:400]]
    ours = CharNgramTfidf(ngram_range=(2, 5), min_df=2).fit(texts[:300])
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True).fit(texts[:300])
    assert abs(ours.transform(texts[300:]) - reference.transform(texts[300:])).max() < 1e-12


def test_corpus_is_valid_and_large_enough():
    """The validator runs here: labels, shape, duplicates, near-duplicates, minimum counts, and no
    near-copy of any evaluation-set text."""
    corpus = load_corpus()
    report = validate(corpus, against=read_jsonl(DEV_SET))
    assert report.ok, report.errors[:10]
    assert len(corpus.passages) >= 2400 and len(corpus.documents) >= 200
    assert min(report.counts["passage"][label] for label in LABELS) >= 500
    assert report.hard_share >= 0.25


def test_fresh_holdout_stays_out_of_the_corpus():
    holdout = read_jsonl(Path(__file__).resolve().parent.parent / "classifier" / "holdout" / "fresh_holdout.jsonl")
    corpus = load_corpus()
    texts = {r["text"] for r in corpus.passages} | {r["text"] for r in corpus.documents}
    assert len(holdout) == 198
    assert not texts & {r["text"] for r in holdout}
    assert not any("holdout" in str(path) for path in corpus.files)


def test_fast_probabilities_equal_the_pipelines(model):
    texts = [r["text"] for r in load_corpus().passages[:500]]
    fast = model.predict_proba(texts)
    reference = model.pipeline.predict_proba(texts)[:, [list(model.pipeline.classes_).index(l) for l in LABELS]]
    assert np.allclose(fast, reference, atol=1e-12)


def test_lean_model_gives_the_same_probabilities_with_less_held(model, model_dir):
    from classifier.predict import load_model

    lean = load_model(model_dir, lean=True)
    texts = [r["text"] for r in load_corpus().passages[:200]]
    assert np.array_equal(lean.predict_proba(texts), model.predict_proba(texts))
    assert all(member.estimator is None for member in lean.pipeline.named_steps["clf"].calibrated_classifiers_)


def test_metadata_sidecar(model, model_dir):
    meta = json.loads((model_dir / "stance.meta.json").read_text())
    assert meta["labels"] == list(LABELS)
    assert meta["data_hash"] == load_corpus().data_hash
    assert {"python", "scikit-learn", "numpy", "scipy"} <= set(meta["versions"])
    assert meta["metrics"]["cv"]["macro_f1"] > 0.8 and meta["params"] and meta["model_version"] == model.version


def test_quality_gate_on_the_frozen_split(model):
    """The frozen split of our own corpus is never trained on; its macro-F1 may not regress."""
    _, frozen = split_frozen(load_corpus().passages)
    _, frozen_documents = split_frozen(load_corpus().documents)
    results = evaluate_rows(model, frozen + frozen_documents)
    assert results["passages"]["macro_f1"] >= GATE["floors"]["frozen_passage_macro_f1"] - EPSILON, results["passages"]
    assert results["documents"]["primary_accuracy"] >= GATE["floors"]["frozen_document_primary_accuracy"] - EPSILON


def test_document_like_the_seed_carries_all_three_policy_labels(model):
    text = SEED.read_text(encoding="utf-8")
    title = text.splitlines()[0]
    description = text.split("Описание:", 1)[1].split("Повторяем попытку", 1)[0]
    result = model.classify_document(title, description, kind="video")
    assert {"approval", "block", "restriction"} <= set(result["labels"])
    assert result["label"] == "approval"  # the lead event: in-principle approval
    assert "H200" in result["items"] and result["actor"] == "china"
    flat = " ".join(description.split())
    assert all(e["text"] in flat or e["text"] == title for ev in result["evidence"].values() for e in ev)
    assert abs(sum(result["scores"].values()) - 1) < 0.01


@pytest.mark.parametrize("text,label", [
    ("Beijing told customs officers that Nvidia's H200 processors are not permitted to enter the country.", "block"),
    ("Washington lifted April's ban and began issuing licences for H20 sales to China again.", "approval"),
    ("Buyers will have to purchase a set number of domestic processors alongside every foreign order.", "restriction"),
    ("Nvidia's chief executive visited Shanghai this week and met suppliers.", "neutral"),
])
def test_clear_cases(model, text, label):
    assert model.classify_passages([text])[0]["label"] == label


def test_classify_cli_jsonl_and_plain_text(model_dir):
    lines = "\n".join([
        json.dumps({"id": "p1", "text": "Customs officers were told the chips are not allowed into the country.", "kind": "passage"}),
        json.dumps({"id": "d1", "kind": "document", "text": "China clears H200 imports\nRegulators approved the purchases. "
                    "Buyers must also take domestic chips as a condition of approval."}),
        "Lawmakers urged the Commerce Department to halt the sales.",
    ])
    result = run_cli("classify", model_dir=model_dir, input=lines)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["p1", "d1", 3]
    assert out[0]["label"] == "block" and set(out[0]["scores"]) == set(LABELS)
    assert out[1]["label"] == "approval" and "restriction" in out[1]["labels"] and out[1]["items"] == ["H200"]
    assert {"id", "label", "labels", "scores", "evidence", "actor", "items"} <= set(out[2])


def test_classify_cli_rejects_broken_json(model_dir):
    result = run_cli("classify", model_dir=model_dir, input='{"id": 1, "text": \n')
    assert result.returncode == 1 and "line 1: not valid JSON" in result.stderr and "Traceback" not in result.stderr


def test_evaluate_cli_reports_metrics(tmp_path, model_dir):
    _, frozen = split_frozen(load_corpus().passages)
    path = tmp_path / "eval.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in frozen[:120]), encoding="utf-8")
    result = run_cli("evaluate", str(path), model_dir=model_dir)
    assert result.returncode == 0, result.stderr
    assert "macro-F1=" in result.stdout and "confusion" in result.stdout
    for label in LABELS:
        assert label in result.stdout


def test_relabel_keeps_which_model_said_what(db_path, model):
    from chipwatch.relabel import relabel_documents
    from db.schema import open_db
    from db.store import save_document

    db = open_db(db_path)
    save_document(db, {"url": "http://a.test/1", "kind": "article", "title": "Beijing halts H200 imports",
                       "text": "Customs officers were told the chips may not enter the country."})
    assert relabel_documents(db, model) == 1
    assert relabel_documents(db, model) == 1
    history = list(db.query("select model_version, label from classifications"))
    assert len(history) == 2 and {h["model_version"] for h in history} == {model.version}
    assert db["documents"].get(1)["label"] == "block"
    assert db["passages"].count == 2  # the title and one body passage, replaced on each run
