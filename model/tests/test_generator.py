import random
import re
import statistics

from radlabel_model import generator
from radlabel_model.generator import FINDINGS, generate
from radlabel_model.network import ABBREVIATIONS
from radlabel_model.labels import CATEGORIES, LABELS, NEGATIVE, POSITIVE, UNCERTAIN, abnormal_class


def test_generation_is_deterministic_per_seed():
    assert list(generate(20, seed=7)) == list(generate(20, seed=7))
    assert list(generate(20, seed=7)) != list(generate(20, seed=8))


def test_every_report_has_every_label_and_abnormal_follows_the_rules():
    for report in generate(500, seed=1):
        assert set(report["labels"]) == set(LABELS)
        categories = [report["labels"][c] for c in CATEGORIES]
        if POSITIVE in categories:
            assert report["labels"]["abnormal"] == POSITIVE
        elif UNCERTAIN in categories:
            assert report["labels"]["abnormal"] in (POSITIVE, UNCERTAIN)  # post-op or incidental


def test_abnormal_rule():
    assert abnormal_class([NEGATIVE] * 7, incidental_abnormality=False) == NEGATIVE
    assert abnormal_class([NEGATIVE] * 7, incidental_abnormality=True) == POSITIVE
    assert abnormal_class([UNCERTAIN] + [NEGATIVE] * 6, incidental_abnormality=False) == UNCERTAIN


def test_lengths_look_like_head_mri_reports_with_a_tail_for_chunking():
    lengths = [len(r["text"].split()) for r in generate(2000, seed=3, split="held_out")]
    assert 100 <= statistics.median(lengths) <= 140
    assert sum(n > 600 for n in lengths) >= 10


def test_held_out_split_never_uses_a_training_phrasing_and_vice_versa():
    train_only_frames = ["Appearances are typical of", "Findings are consistent with", "Demonstrated is"]
    held_only = [f.split("{")[0] for f in FINDINGS["mass"][0].phrasings["held_out"] if len(f.split("{")[0]) > 20]
    held = " ".join(r["text"] for r in generate(1000, seed=5, split="held_out"))
    train = " ".join(r["text"] for r in generate(1000, seed=5, split="train"))
    assert all(frame in train and frame not in held for frame in train_only_frames)
    assert all(phrase not in train for phrase in held_only)
    assert any(phrase in held for phrase in held_only)


def all_banks():
    banks = [b for b in vars(generator).values() if isinstance(b, generator.Bank)]
    banks += [b for pair in generator.FINDINGS.values() for b in pair]
    return banks + list(generator.SPECIAL_NEGATIVES.values()) + list(generator.HEADERS.values())


def test_no_held_out_phrasing_is_a_training_phrasing_of_any_bank():
    training = {p for b in all_banks() for p in b.phrasings["train"]}
    leaked = {p for b in all_banks() for p in b.phrasings["held_out"] if p in training and p}  # "": no location
    assert not leaked


def test_every_word_of_the_held_out_phrasings_occurs_in_training():
    # Held out by template, not by vocabulary: a model trained from scratch cannot read a word it
    # never saw, so an unseen word would measure the vocabulary, not whether the rules were learnt.
    def words(text):
        return set(re.findall(r"[a-z]+", re.sub(r"{[a-zA-Z]+}", " ", text).lower()))
    training = " ".join(r["text"] for r in generate(20000, seed=1, split="train"))
    missing = set().union(*(words(p) for b in all_banks() for p in b.phrasings["held_out"])) - words(training)
    assert not missing


def test_statements_cover_sentences_that_state_each_stated_label():
    for report in generate(300, seed=9):
        for statement in report["statements"]:
            assert 0 <= statement["start"] < statement["end"] <= len(report["text"])
            # Inside one sentence: the model labels sentences, so no full stop inside a statement
            # may end one (decimals and abbreviations do not).
            sentence = report["text"][statement["start"]:statement["end"]]
            inner = re.sub(r"(?<=\d)\.(?=\d)", "", sentence[:-1])
            ends = [m.start() for m in re.finditer(r"\.", inner)
                    if not re.search(r"(?:^|[^a-z])(?:[a-z]|" + "|".join(ABBREVIATIONS) + r")$", inner[:m.start()].lower())]
            assert not ends, sentence
            for label, cls in statement["labels"].items():
                assert cls != NEGATIVE and report["labels"][label] != NEGATIVE
                if report["labels"][label] == UNCERTAIN:
                    assert cls == UNCERTAIN
        for label in CATEGORIES:
            if report["labels"][label] != NEGATIVE:
                assert any(label in s["labels"] for s in report["statements"]), (label, report["text"])


def test_composed_training_sentences_never_write_a_held_out_one():
    train = " ".join(r["text"] for r in generate(3000, seed=1, split="train"))
    held_out = [p for b in (generator.NORMAL_SENTENCES, generator.DETAIL_SENTENCES, generator.CLINICAL,
                            generator.RECOMMENDATIONS) for p in b.phrasings["held_out"]]
    assert not [p for p in held_out if p.split("{")[0] in train]


def test_training_findings_sometimes_assert_the_bare_negated_terms_but_never_mass_ones():
    train, held = generator._Writer(random.Random(0), "train"), generator._Writer(random.Random(0), "held_out")
    for c in CATEGORIES:
        drawn = {train.finding(c) for _ in range(400)}
        held_drawn = {held.finding(c) for _ in range(400)}
        if c == "mass":
            assert c not in generator.ASSERTABLE_TERMS
        else:
            assert drawn & set(generator.ASSERTABLE_TERMS[c]), c
        assert not held_drawn & set(FINDINGS[c][1].phrasings["train"]) - set(FINDINGS[c][0].phrasings["held_out"]), c
