"""The learned decisions: features, the model file, deciding, training and cross-validation."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from rasd.learn.decide import choose
from rasd.learn.features import bucket, stem
from rasd.learn.model import Linear, Model, shipped_path
from rasd.learn.train import ALL_DECISIONS, Example, align, best_threshold, cases_of, fit
from rasd.resources.loader import load_resources
from rasd.types import Article

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "000_73c53d1290d9c61f.txt"
SHARED_GOLD = ROOT.parent / "shared" / "gold"


@pytest.fixture(scope="module")
def res():
    return load_resources()


@pytest.fixture(scope="module")
def seed_cases(res):
    text = SEED.read_text(encoding="utf-8")
    return cases_of(Article(text=text, doc_id="seed", pub_date=date(2023, 4, 11)), res)


@pytest.mark.parametrize(
    ("word", "expected"),
    [("والقوات", "قوات"), ("بالصواريخ", "صواريخ"), ("المسلحين", "مسلح"), ("غارات", "غار"), ("قتل", "قتل")],
)
def test_light_stem(res, word: str, expected: str) -> None:
    assert stem(word, res.affixes) == expected


@pytest.mark.parametrize(("value", "label"), [(0, "<=0"), (1, "<=1"), (3, "<=4"), (9, ">4")])
def test_bucket(value: int, label: str) -> None:
    assert bucket(value, (0, 1, 2, 4)) == label


def test_seed_cases_carry_named_features_and_place_options(seed_cases) -> None:
    main = next(c for c in seed_cases if "كونيكو" in (c.event.location.text if c.event.location else ""))
    assert main.features["sub=Shelling/artillery/missile attack"] == 1.0
    assert any(k.startswith("w_bag=") for k in main.features)  # lexical context of the sentence
    assert main.places[0].features["rule_choice"] == 1.0  # the rules' place comes first
    assert all(0.0 <= v <= 1.0 for v in main.features.values())


def test_model_file_round_trip_is_byte_identical(tmp_path: Path) -> None:
    m = Model({"event": Linear(["event"], [{"flag=non_event": -1.5, "cue=hedge": 0.25}], [0.1])}, 0.35, {"a": 1})
    a = m.save(tmp_path / "a.json.gz")
    b = Model.load(a).save(tmp_path / "b.json.gz")
    assert a.read_bytes() == b.read_bytes()
    again = Model.load(b)
    x = {"flag=non_event": 1.0}
    assert again["event"].probability(x) == pytest.approx(1 / (1 + pow(2.718281828459045, 1.4)), rel=1e-6)
    assert again["event"].contributions(x) == [("flag=non_event", -1.5)]


def test_without_a_model_the_rules_decide(seed_cases) -> None:
    events = choose(seed_cases, None)
    assert len(events) == sum(not c.flagged for c in seed_cases)


def test_shipped_model_decides_the_seed(res, seed_cases) -> None:
    model = Model.load(shipped_path())
    assert model.provenance["gold_events"] > 500
    assert model.provenance["learned_decisions"] == ["actor1", "actor2", "event"]
    events = choose(seed_cases, model, res.note_phrases)
    main = max(events, key=lambda e: e.confidence)
    assert main.event_type == "Explosions/Remote violence"
    assert "learned" in main.rules["confidence"]
    assert 0.0 < main.confidence < 1.0


def test_align_needs_shared_evidence() -> None:
    gold = [
        {"event_type": "Battles", "sub_event_type": "Armed clash", "location": {"text": "درعا"},
         "evidence": [{"start": 0, "end": 50}]},
        {"event_type": "Battles", "sub_event_type": "Armed clash", "location": {"text": "حمص"},
         "evidence": [{"start": 60, "end": 90}]},
    ]  # fmt: skip
    pred = {"event_type": "Battles", "sub_event_type": "Armed clash", "location": {"text": "حمص"},
            "evidence": [{"start": 40, "end": 70}]}  # fmt: skip
    assert align(pred, gold) is gold[1]  # both overlap; the same place wins
    assert align({**pred, "evidence": [{"start": 95, "end": 99}]}, gold) is None


def test_best_threshold_maximises_f1() -> None:
    probs = [0.9, 0.8, 0.7, 0.3, 0.2]
    labels = [True, True, False, False, True]
    # keeping the top two: 2 TP of 3 gold → F1 0.8; every threshold that keeps more is worse
    assert best_threshold(probs, labels, 3) in (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)


@pytest.mark.skipif(not SHARED_GOLD.is_dir(), reason="needs ../shared/gold beside the checkout (CI has it)")
def test_training_on_gold_learns_from_a_rejected_event(res, tmp_path: Path) -> None:
    """A reviewed article whose false event is rejected trains a model that scores it lower."""
    from rasd.learn.train import load_examples

    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    for f in sorted(SHARED_GOLD.glob("dev_0[0-3]*.json"))[:30]:
        shutil.copy(f, gold_dir)
    examples = load_examples(gold_dir, res, texts=[SHARED_GOLD.parent / "corpus" / "dev"])
    assert len(examples) == 30
    model = fit(examples, res.note_phrases)
    assert set(model.decisions) == {"actor1", "actor2", "event"} and 0.0 < model.threshold < 1.0  # the default
    every = fit(examples, res.note_phrases, decisions_to_fit=ALL_DECISIONS)
    assert set(every.decisions) == set(ALL_DECISIONS)
    text = SEED.read_text(encoding="utf-8")
    cases = cases_of(Article(text=text, doc_id="review:seed", pub_date=date(2023, 4, 11)), res)
    before = {e.location.name: e.confidence for e in choose(cases, model, res.note_phrases, every_place=True)}
    # the analyst keeps only the Conoco attack: every other event of the seed is rejected
    record = json.loads((SHARED_GOLD / "000_73c53d1290d9c61f.json").read_text(encoding="utf-8"))
    record["events"] = [e for e in record["events"] if "كونيكو" in e["location"]["text"] and e["role"] == "main"]
    reviewed = [*examples, *[Example(f"review:seed:{i}", cases, record) for i in range(5)]]
    retrained = fit(reviewed, res.note_phrases)
    after = {e.location.name: e.confidence for e in choose(cases, retrained, res.note_phrases, every_place=True)}
    rejected = [name for name in before if name != "Conoco gas field" and name in after]
    assert rejected and all(after[n] < before[n] for n in rejected)


@pytest.mark.skipif(not SHARED_GOLD.is_dir(), reason="needs ../shared/gold beside the checkout (CI has it)")
def test_eval_cv_writes_out_of_fold_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rasd.eval.cli import eval_command

    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    for f in sorted(SHARED_GOLD.glob("dev_0[0-3]*.json"))[:24]:
        shutil.copy(f, gold_dir)
    out = tmp_path / "oof.jsonl"
    assert eval_command([gold_dir], cv=3, texts=[SHARED_GOLD.parent / "corpus" / "dev"], predictions=out) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["doc_id"] for r in records) == sorted(f.stem for f in gold_dir.glob("*.json"))
    printed = capsys.readouterr().out
    assert "Cross-validated (3 folds" in printed and "Learning curve" in printed


def test_explain_shows_the_features_that_weighed_for_the_learned_confidence(res) -> None:
    from rasd.api import extract_article
    from rasd.explain import explain_record

    text = SEED.read_text(encoding="utf-8")
    record = extract_article(
        Article(text=text, doc_id="seed", pub_date=date(2023, 4, 11)), resources=res.deciding("learned")
    )
    top = max(record.events, key=lambda e: e.confidence)
    row = next(f for f in explain_record(record, text)[record.events.index(top)].fields if f.field == "confidence")
    assert row.rule.startswith("learned P(right event)=") and "pl:" in row.rule  # named features with weights


def test_reviews_in_a_store_become_training_gold(tmp_path: Path) -> None:
    """A rejected event leaves the article's gold; a corrected place is the gold place."""
    from sqlalchemy import select

    from rasd.learn.cli import reviewed_articles
    from rasd.store import schema
    from rasd.store.db import Store
    from rasd.store.ingest import ingest
    from rasd.store.review import review_event

    url = f"sqlite:///{tmp_path / 'r.db'}"
    store = Store.open(url)
    ingest([str(SEED)], store, pub_date=date(2023, 4, 11), progress=False)
    with store.engine.connect() as conn:
        rows = conn.execute(select(schema.events.c.id, schema.events.c.role).order_by(schema.events.c.id)).all()
    main_id = next(i for i, role in rows if role == "main")
    others = [i for i, _ in rows if i != main_id]
    review_event(store, main_id, "correct", {"location_name": "Conoco field (corrected)"}, who="analyst")
    review_event(store, others[0], "reject", who="analyst")
    pairs = list(reviewed_articles(url))
    assert len(pairs) == 1
    article, gold = pairs[0]
    assert article.doc_id.startswith("review:") and "كونيكو" in article.text
    names = [e["location"]["name"] for e in gold["events"]]
    assert names == ["Conoco field (corrected)"]  # accepted/corrected events only: the rejected one is gone


def test_seed_actor_options_hold_the_rules_choice_nobody_and_the_named_actors(seed_cases) -> None:
    main = next(c for c in seed_cases if c.event.role == "main" and "كونيكو" in c.event.location.text)
    first, second, nobody = main.actors[:3]
    assert first.actor is main.event.actor1 and second.actor is main.event.actor2
    assert nobody.actor is None and nobody.features["nobody"] == 1.0
    assert first.features["rule1"] == 1.0 and f"inter={first.actor.inter}" in first.features
