"""Synthetic head-MRI reports that write like neuroradiologists, labelled by model/LABEL_RULES.md.

A report has the sections real ones have (clinical details, technique, comparison, findings in
several paragraphs, conclusion) and the variety that breaks naive labellers: many phrasings per
finding, negation lists and their scope, hedging, normal-for-age statements, findings unchanged
since a prior exam or resolved, post-operative change, intracranial and extracranial incidental
findings, British and American spelling, abbreviations, typos, dictation artefacts, upper-case
headers, and real-looking lengths (median ~120 words, a tail past 600).

Held out by template: every phrase bank (radlabel_model/phrases.py: finding phrasings, sentence
frames, headers, normal sentences) is split into phrasings for training and phrasings kept for
the held-out evaluation. `generate(..., split="held_out")` writes only with the held-out ones, so that split measures
whether the model learnt the rules rather than the sentences. Deterministic for a given seed.
"""
import csv
import random

from .labels import CATEGORIES, LABELS, NEGATIVE, POSITIVE, UNCERTAIN, abnormal_class
from .phrases import (  # noqa: F401 (the banks are part of this module's interface)
    Bank, SIDES, LOCATIONS, FINDINGS, POSITIVE_FRAMES, UNCERTAIN_FRAMES, NEGATIVE_FRAMES,
    NEGATIVE_LIST_FRAMES, CONTRAST_FRAMES, RESOLVED_FRAMES, CONCLUSION_POSITIVE,
    CONCLUSION_AS_ABOVE, SPECIAL_NEGATIVES, NORMAL_SENTENCES, NORMAL_STRUCTURES, NORMAL_FRAMES,
    DETAIL_SENTENCES, INTRACRANIAL_INCIDENTAL, EXTRACRANIAL_INCIDENTAL, POSTOP, POSTOP_NO_TUMOUR,
    CLINICAL, TECHNIQUE, COMPARISON, NORMAL_CONCLUSIONS, INCIDENTAL_CONCLUSIONS,
    CLINICAL_HISTORY_FRAMES, CLINICAL_FINDING_FRAMES, QUALITY_FRAMES, SEQUENCES,
    RECOMMENDATION_FRAMES, RECOMMENDATIONS, HEADERS, SPELLINGS, DICTATION_ARTEFACTS, BULLETS,
    REPORT_FRAMES)
from .realistic import RealisticWriter, Text, capitalise, history_sentence

SPLITS = ("train", "held_out")

# In the training split the short terms that negations take ("no gliosis") also assert their
# finding (20% of findings: "There is gliosis"), so that a model learns what a term means and not
# only the frame around it. Left out: terms that name no finding on their own ("mass effect",
# "new lesions"), and the mass terms: asserted bare, they taught models to read clinical
# histories and differentials ("?tumour recurrence") as tumours on the challenge set.
_NOT_ASSERTABLE = {"mass effect", "haematoma", "new lesions", "enhancing lesions", "new or enhancing lesions",
                   "enhancing lesion"}
ASSERTABLE_TERMS = {c: [t for t in FINDINGS[c][1].phrasings["train"] if t not in _NOT_ASSERTABLE]
                    for c in CATEGORIES if c != "mass"}


def _fill(rng, template, split):
    """Fills {loc}, {side}, {a} and {b} placeholders."""
    if "{loc}" in template:
        template = template.replace("{loc}", LOCATIONS.pick(rng, split) if rng.random() < 0.5 else "")
    return template.replace("{side}", rng.choice(SIDES)).replace("{a}", str(rng.randint(2, 40))).replace(
        "{b}", str(rng.randint(2, 30)))


def _typo(rng, word):
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]  # transposition
    if kind < 0.7:
        return word[:i] + word[i + 1:]  # dropped letter
    return word[:i] + word[i] + word[i:]  # doubled letter


class _Writer:
    """Draws phrasings of one split and marks which labels a sentence supports (for evidence)."""

    def __init__(self, rng, split):
        self.rng, self.split = rng, split

    def pick(self, bank):
        return _fill(self.rng, bank.pick(self.rng, self.split), self.split)

    def normal_sentence(self):
        if self.split == "train" and self.rng.random() < 0.3:
            return RealisticWriter(self.rng, HELD_OUT_SENTENCES).normal_statement()
        if self.split == "train" and self.rng.random() < 0.5:
            structure, plural = self.rng.choice(NORMAL_STRUCTURES)
            return self.rng.choice(NORMAL_FRAMES).format(s=structure, be="are" if plural else "is")
        return self.pick(NORMAL_SENTENCES)

    def clinical(self):
        if self.split == "train":
            r = self.rng.random()
            if r < 0.4:
                n = self.negated(self.rng.choice(CATEGORIES))
                return _fill(self.rng, self.rng.choice(CLINICAL_HISTORY_FRAMES), self.split).format(n=n, N=capitalise(n))
            if r < 0.6:
                f = self.finding(self.rng.choice(CATEGORIES))
                return _fill(self.rng, self.rng.choice(CLINICAL_FINDING_FRAMES), self.split).format(f=f, F=capitalise(f))
        return self.pick(CLINICAL)

    def detail_sentence(self):
        if self.split == "train" and self.rng.random() < 0.4:
            return self.rng.choice(QUALITY_FRAMES).format(q=self.rng.choice(SEQUENCES))
        return self.pick(DETAIL_SENTENCES)

    def recommendation(self):
        if self.split == "train" and self.rng.random() < 0.5:
            return _fill(self.rng, self.rng.choice(RECOMMENDATION_FRAMES), self.split)
        return self.pick(RECOMMENDATIONS)

    def finding(self, category):
        if self.split == "train" and category in ASSERTABLE_TERMS and self.rng.random() < 0.2:
            return self.rng.choice(ASSERTABLE_TERMS[category])
        return self.pick(FINDINGS[category][0])

    def negated(self, category):
        return self.pick(FINDINGS[category][1])

    def statement(self, category, cls):
        if cls == POSITIVE:
            frame = self.pick(POSITIVE_FRAMES)
        else:
            frame = self.pick(UNCERTAIN_FRAMES)
        f = self.finding(category)
        return frame.format(f=f, F=capitalise(f))

    def negation(self, category):
        n = self.negated(category)
        return self.pick(NEGATIVE_FRAMES).format(n=n, N=capitalise(n))

    def negation_list(self, categories):
        terms = [self.negated(c) for c in categories]
        joined = ", ".join(terms[:-1]) + (" or " if self.rng.random() < 0.7 else ", nor ") + terms[-1]
        return self.pick(NEGATIVE_LIST_FRAMES).format(list=joined)

    def contrast(self, negated_category, positive_category):
        n, f = self.negated(negated_category), self.finding(positive_category)
        return self.pick(CONTRAST_FRAMES).format(n=n, f=f, F=capitalise(f))


def _draw_classes(rng):
    if rng.random() < 0.3:  # a normal study
        return {c: NEGATIVE for c in CATEGORIES}
    classes = {}
    for c in CATEGORIES:
        r = rng.random()
        classes[c] = POSITIVE if r < 0.15 else UNCERTAIN if r < 0.23 else NEGATIVE
    # Older patients: atrophy and small vessel disease travel together.
    if classes["small_vessel_disease"] == POSITIVE and rng.random() < 0.3:
        classes["atrophy"] = POSITIVE
    return classes


def _with_abnormal(labels):
    """A sentence that states a category or an incidental abnormality states `abnormal` too:
    positive unless all it states is uncertain."""
    if not labels:
        return labels
    return dict(labels, abnormal=POSITIVE if POSITIVE in labels.values() else UNCERTAIN)


def _target_words(rng, short):
    if short:
        return 0
    if rng.random() < 0.05:
        return rng.randint(350, 900)  # the long tail that exercises chunking
    return int(min(340, max(45, rng.lognormvariate(4.75, 0.35))))


def generate_report(rng, split="train", short=False):
    """Returns (text, classes, statements): classes maps every label to a class index;
    statements are the sentences that state a label, {"start", "end" (character offsets),
    "labels": {label: the class this sentence states}}, each one sentence ending at its full
    stop. `short` reports carry no normal filler and often only their findings and conclusion:
    cheap training examples with the same findings."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    layout = rng.choices(list(TRAIN_LAYOUTS), list(TRAIN_LAYOUTS.values()))[0] if split == "train" else "report"
    if layout in ("caption", "case_note"):
        return _realistic_text(RealisticWriter(rng, HELD_OUT_SENTENCES), layout)
    w = _Writer(rng, split)
    real = RealisticWriter(rng, HELD_OUT_SENTENCES) if split == "train" else None
    classes = _draw_classes(rng)
    intracranial = rng.random() < 0.08
    extracranial = rng.random() < 0.15
    postop = rng.random() < 0.06
    classes["abnormal"] = abnormal_class([classes[c] for c in CATEGORIES], intracranial or postop)

    # Sentences as (text, {label: class it states}); the findings section first.
    stated = [c for c in CATEGORIES if classes[c] != NEGATIVE]
    only_in_conclusion = {c for c in stated if rng.random() < 0.12}
    negatives = [c for c in CATEGORIES if classes[c] == NEGATIVE]
    rng.shuffle(negatives)
    findings = []
    groups = []  # realistic findings of one or two sentences that must stay together
    for c in stated:
        if c in only_in_conclusion:
            continue
        if real and rng.random() < REALISTIC_FINDING_RATE:
            groups.append(_realistic_sentences(real, c, classes[c]))
        elif classes[c] == POSITIVE and negatives and rng.random() < 0.2:
            findings.append((w.contrast(negatives.pop(), c), {c: POSITIVE}))
        else:
            findings.append((w.statement(c, classes[c]), {c: classes[c]}))
    if negatives and rng.random() < 0.6:
        k = min(len(negatives), rng.randint(2, 4))
        findings.append((w.negation_list(negatives[:k]), {}))
        negatives = negatives[k:]
    for c in negatives:
        r = rng.random()
        if r < 0.2:
            findings.append((w.negation(c), {}))
        elif r < 0.3 and c in SPECIAL_NEGATIVES:
            findings.append((w.pick(SPECIAL_NEGATIVES[c]), {}))
        elif r < 0.33:
            findings.append((w.pick(RESOLVED_FRAMES).format(n=w.negated(c), N=capitalise(w.negated(c))), {}))
    if postop:
        findings.append((w.pick(POSTOP), {"abnormal": POSITIVE}))
        if classes["mass"] == NEGATIVE:
            findings.append((w.pick(POSTOP_NO_TUMOUR), {}))
    if intracranial:
        findings.append((w.pick(INTRACRANIAL_INCIDENTAL), {"abnormal": POSITIVE}))
    if extracranial:
        findings.append((w.pick(EXTRACRANIAL_INCIDENTAL), {}))
    if real and rng.random() < OTHER_ABNORMALITY_RATE:
        groups.append(_realistic_sentences(real, None, rng.choice([POSITIVE, POSITIVE, UNCERTAIN, None])))
    if real and rng.random() < 0.3:
        findings.append((real.negation(), {}))
    findings = [(text, _with_abnormal(labels)) for text, labels in findings]

    # Normal and descriptive sentences up to a real-looking length.
    target = _target_words(rng, short)
    words = 25 + sum(len(s.split()) for s, _ in findings + [sentence for group in groups for sentence in group])
    while words < target:
        s = w.normal_sentence() if rng.random() < 0.7 else w.detail_sentence()
        findings.append((s, {}))
        words += len(s.split())
    rng.shuffle(findings)
    for group in groups:
        at = rng.randrange(len(findings) + 1)
        findings[at:at] = group

    restated = [c for c in stated if classes[c] == POSITIVE] + [c for c in stated if classes[c] == UNCERTAIN]
    conclusion = []
    if stated and not only_in_conclusion and rng.random() < 0.1:
        conclusion.append((w.pick(CONCLUSION_AS_ABOVE), {}))
        restated = []
    for c in restated:
        if classes[c] == POSITIVE:
            f = w.finding(c)
            conclusion.append((w.pick(CONCLUSION_POSITIVE).format(f=f, F=capitalise(f)), {c: POSITIVE}))
        else:
            conclusion.append((w.statement(c, UNCERTAIN), {c: UNCERTAIN}))
    conclusion = [(text, _with_abnormal(labels)) for text, labels in conclusion]
    if not conclusion:
        conclusion.append((w.pick(INCIDENTAL_CONCLUSIONS if intracranial or postop else NORMAL_CONCLUSIONS), {}))
    numbered = len(conclusion) > 1 and rng.random() < 0.4
    if stated and rng.random() < 0.3:
        conclusion.append((w.recommendation(), {}))

    listed = layout == "listed_report"
    style = _Style(rng)
    sections = [
        ("clinical", [(w.clinical(), {})]),
        ("technique", [(w.pick(TECHNIQUE), {})]),
        ("comparison", [(w.pick(COMPARISON), {})]),
        ("findings", findings),
        ("conclusion", conclusion),
    ]
    if short and rng.random() < 0.5:
        sections = [sections[0]] + sections[3:] if rng.random() < 0.5 else sections[3:]
    text, statements = "", []
    for i, (section, sentences) in enumerate(sections):
        if i:
            text += "\n\n" if style.blank_lines else "\n"
        text += style.header(w.pick(HEADERS[section]))
        bullet = real.choice(BULLETS) if listed else None
        for j, (sentence, labels) in enumerate(sentences):
            if listed and section == "findings":
                # One finding per line, often without its full stop.
                text += ("\n" if j or style.header_on_own_line is False else "") + bullet.format(n=j + 1)
                if rng.random() < 0.7 and sentence.endswith("."):
                    sentence = sentence[:-1]
            # Long findings sections come in paragraphs.
            elif section == "findings" and j and j % rng.randint(3, 6) == 0:
                text += "\n"
            elif j or style.header_on_own_line is False:
                text += " "
            if section == "conclusion" and numbered:
                text += f"{j + 1}. "  # outside the statement: a number states nothing
            sentence = style.sentence(sentence)
            if labels:
                statements.append({"start": len(text), "end": len(text) + len(sentence), "labels": labels})
            text += sentence
    # Realistic sentences can state more than the drawn classes (an abnormality outside the
    # categories, the other diagnosis of "X versus Y"): a report is what its sentences state.
    for label in LABELS:
        classes[label] = _strongest([classes[label]] + [s["labels"].get(label, NEGATIVE) for s in statements])
    return text, classes, statements


# The training split's layouts and their shares: full reports, reports whose findings are a list
# without full stops, figure captions, and case histories that report an MRI (realistic.py).
TRAIN_LAYOUTS = {"report": 0.48, "listed_report": 0.10, "caption": 0.30, "case_note": 0.12}
# The held-out split's own sentences, which realistic.py must never write in the training split.
HELD_OUT_SENTENCES = frozenset(p.lower() for b in (NORMAL_SENTENCES, DETAIL_SENTENCES, INTRACRANIAL_INCIDENTAL,
                                                   EXTRACRANIAL_INCIDENTAL, POSTOP, NORMAL_CONCLUSIONS)
                               for p in b.phrasings["held_out"])
REALISTIC_FINDING_RATE = 0.4  # share of a report's findings written at length (realistic.py)
OTHER_ABNORMALITY_RATE = 0.15  # reports that also describe an abnormality outside the categories


def _strongest(classes):
    """Positive over uncertain over negative."""
    return POSITIVE if POSITIVE in classes else UNCERTAIN if UNCERTAIN in classes else NEGATIVE


def _merge(labels, more):
    return {k: _strongest([labels.get(k, NEGATIVE), more.get(k, NEGATIVE)]) for k in set(labels) | set(more)}


def _realistic_sentences(real, category, cls):
    """A finding written at length as report sentences [(text, labels)]: one sentence, or two
    where its diagnosis starts a sentence of its own."""
    sentences = [["", {}]]
    for piece, labels in real.finding(category, cls):
        if piece.startswith(". "):
            sentences.append(["", {}])
            piece = capitalise(piece[2:])
        sentences[-1][0] += piece
        sentences[-1][1] = _merge(sentences[-1][1], labels)
    first = sentences[0][0]
    sentences[0][0] = real.choice(REPORT_FRAMES).format(f=first, F=capitalise(first))[:-1]
    return [(text + ".", labels) for text, labels in sentences]


def _realistic_text(real, layout):
    """(text, classes, statements) of a caption or a case history (realistic.py)."""
    rng = real.rng
    if layout == "caption":
        t = real.caption()
    else:
        t = Text()
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            t.add(history_sentence(real) + " ")
        mri = real.case_note()
        for statement in mri.statements:
            t.statements.append(dict(statement, start=statement["start"] + len(t.text),
                                     end=statement["end"] + len(t.text)))
        t.add(mri.text)
        for _ in range(rng.choice([0, 0, 1, 2])):
            t.add(" " + history_sentence(real))
    classes = {label: _strongest([s["labels"].get(label, NEGATIVE) for s in t.statements]) for label in LABELS}
    return t.text, classes, t.statements


class _Style:
    """One report's writing habits: header case, spelling, typos and dictation artefacts."""

    def __init__(self, rng):
        self.rng = rng
        self.upper = rng.random() < 0.5
        self.american = rng.random() < 0.4
        self.blank_lines = rng.random() < 0.5
        self.header_on_own_line = rng.random() < 0.3
        self.typo_rate = 0.0 if rng.random() < 0.6 else 0.02
        self.dictated = rng.random() < 0.1

    def header(self, name):
        name = name.upper() if self.upper else capitalise(name)
        return f"{name}:\n" if self.header_on_own_line else f"{name}:"

    def sentence(self, s):
        if self.american:
            for british, american in SPELLINGS:
                s = s.replace(british, american)
        if self.typo_rate:
            s = " ".join(_typo(self.rng, x) if self.rng.random() < self.typo_rate else x for x in s.split(" "))
        if self.dictated and self.rng.random() < 0.15:
            # Inside the sentence: what follows its full stop belongs to the next.
            artefact = self.rng.choice(DICTATION_ARTEFACTS)
            s = s[:-1] + artefact + "." if s.endswith(".") else s + artefact
        return s


def write_reports_csv(path, reports):
    """Writes reports as the CSV the CLI and benchmarks read: columns report_id, text."""
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["report_id", "text"])
        for r in reports:
            writer.writerow([r["id"], r["text"]])


def generate(n, seed, id_prefix="r", split="train", short_fraction=0.0):
    """Yields n dicts {id, text, labels, statements} deterministically from seed, written with the
    phrasings of `split` ("train" or "held_out"); a `short_fraction` of them short (training)."""
    rng = random.Random(seed)
    for i in range(n):
        text, classes, statements = generate_report(rng, split, short=rng.random() < short_fraction)
        yield {"id": f"{id_prefix}{i:06d}", "text": text, "labels": classes, "statements": statements}
