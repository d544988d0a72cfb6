"""A robustness suite in the spirit of CheckList (Ribeiro et al., 2020): sentences whose labels are
known, and perturbations that must not change any of the 8 decisions.

Base sentences are written only with the generator's held-out phrasings (finding phrasings and
sentence frames the training split never uses): one per category and class, and normal
sentences. Each family perturbs every base sentence:
- location: the finding moved to each intracranial structure the generator names;
- clause: a measurement or descriptive clause appended ("measuring 12 x 8 mm", "(arrow)");
- list: the sentence as one item of a bulleted list of normal findings, without full stops;
- case: the text upper-cased, lower-cased, title-cased;
- typo: one letter transposed, dropped or doubled in one word of five letters or more;
- abbreviation: a term expanded or abbreviated ("MCA" / "middle cerebral artery", "left" / "L");
- wrap: the sentence broken into lines of at most 24 and of 40 characters, as a fixed-width
  export writes it (a line break inside a sentence must not end it).

A case passes when the model's decisions on the perturbed text equal its decisions on the base
sentence (invariance). The suite also reports how often the base decisions equal the known
labels, so that a model cannot pass by deciding the same wrong thing everywhere.
"""
import collections
import random
import textwrap

from . import generator
from .labels import CATEGORIES, LABELS, NEGATIVE, POSITIVE, UNCERTAIN
from .realistic import STRUCTURES, capitalise

FAMILIES = ("location", "clause", "list", "case", "typo", "abbreviation", "wrap")
WRAP_WIDTHS = (24, 40)
CLAUSES = [", measuring {a} x {b} mm", " (arrow)", ", best seen on the coronal FLAIR images",
           " on the post-contrast T1-weighted images", ", see series {a} image {b}", ", as shown on image {a}",
           " on the axial T2-weighted sequence", ", measuring approximately {c}.{b} cm"]
LIST_NORMALS = ["The ventricles are normal in size", "No extra-axial collection", "The pituitary gland is normal",
                "The posterior fossa is unremarkable"]
# Both directions of each: (long form, short form).
ABBREVIATIONS = [("middle cerebral artery", "MCA"), ("posterior cerebral artery", "PCA"),
                 ("internal carotid artery", "ICA"), ("small vessel disease", "SVD"),
                 ("multiple sclerosis", "MS"), ("arteriovenous malformation", "AVM"),
                 ("developmental venous anomaly", "DVA"), ("white matter hyperintensities", "WMH"),
                 ("left", "L"), ("right", "R"), ("magnetic resonance imaging", "MRI"),
                 ("acute disseminated encephalomyelitis", "ADEM"), ("diffusion weighted imaging", "DWI")]


def _labels(category, cls):
    labels = {label: NEGATIVE for label in LABELS}
    if category:
        labels[category] = cls
        labels["abnormal"] = POSITIVE if cls == POSITIVE else UNCERTAIN if cls == UNCERTAIN else NEGATIVE
    return labels


def base_cases(rng):
    """[(text, template with {loc} or None, known labels)] written with held-out phrasings."""
    cases = []
    for category in CATEGORIES:
        asserted, negated = generator.FINDINGS[category]
        for phrasing in asserted.phrasings["held_out"]:
            for cls, frames in ((POSITIVE, generator.POSITIVE_FRAMES), (UNCERTAIN, generator.UNCERTAIN_FRAMES)):
                frame = rng.choice(frames.phrasings["held_out"])
                template = phrasing if "{loc}" in phrasing else phrasing + "{loc}"
                template = _structure(rng, template)
                filled = frame.format(f=template, F=capitalise(template))
                text = filled.replace("{loc}", " in the " + _structure(rng, rng.choice(STRUCTURES)))
                cases.append((text, filled, _labels(category, cls)))
        for term in negated.phrasings["held_out"]:
            frame = rng.choice(generator.NEGATIVE_FRAMES.phrasings["held_out"])
            cases.append((frame.format(n=term, N=capitalise(term)), None, _labels(None, NEGATIVE)))
    for sentence in generator.NORMAL_SENTENCES.phrasings["held_out"]:
        cases.append((sentence, None, _labels(None, NEGATIVE)))
    return cases


def _structure(rng, template):
    """`template` with its {side} drawn."""
    return template.replace("{side}", rng.choice(["left", "right"]))


def _typo(rng, text):
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not candidates:
        return None
    i = rng.choice(candidates)
    original = words[i]
    while words[i] == original:  # a doubled or swapped letter can give the word back
        words[i] = generator._typo(rng, original)
    return " ".join(words)


def _swap_abbreviation(text):
    padded = f" {text} "
    for long, short in ABBREVIATIONS:
        for a, b in ((long, short), (short, long)):
            for form in (f" {a} ", f" {capitalise(a)} "):
                if form in padded:
                    return padded.replace(form, f" {b} ", 1).strip()
    return None


def perturbations(rng, text, template, locations_per_case=None):
    """{family: [perturbed texts]} for one base sentence."""
    out = collections.defaultdict(list)
    if template is not None:
        structures = STRUCTURES if locations_per_case is None else rng.sample(STRUCTURES, locations_per_case)
        out["location"] = [template.replace("{loc}", " in the " + _structure(rng, s)) for s in structures]
    stem = text[:-1] if text.endswith(".") else text
    clause = rng.choice(CLAUSES).format(a=rng.randint(2, 40), b=rng.randint(1, 9), c=rng.randint(1, 5))
    out["clause"] = [stem + clause + "."]
    items = rng.sample(LIST_NORMALS, 2)
    items.insert(rng.randrange(3), stem)
    bullet = rng.choice(["- ", "* ", "\u2022 ", "{n}) "])
    out["list"] = ["\n".join(bullet.format(n=n + 1) + item for n, item in enumerate(items))]
    out["case"] = [text.upper(), text.lower(), text.title()]
    typo = _typo(rng, text)
    if typo:
        out["typo"] = [typo]
    swapped = _swap_abbreviation(text)
    if swapped:
        out["abbreviation"] = [swapped]
    out["wrap"] = [wrapped for wrapped in (textwrap.fill(text, width) for width in WRAP_WIDTHS) if wrapped != text]
    return out


def run(labeller, seed=0, sample=None, locations_per_case=None):
    """Runs the suite with an OfflineLabeller. `sample`: that many base sentences drawn at random
    (all when None); `locations_per_case`: structures per sentence for the location family (all
    when None). Returns {"families": {family: {"cases", "passed", "rate"}}, "base_accuracy",
    "base_cases", "failures": [(family, base text, perturbed text)]}."""
    rng = random.Random(seed)
    cases = base_cases(rng)
    if sample is not None and sample < len(cases):
        cases = rng.sample(cases, sample)

    def decide(text):
        return labeller.decisions(labeller.probabilities(text))

    tally = {family: [0, 0] for family in FAMILIES}
    failures, correct = [], 0
    for text, template, known in cases:
        base = decide(text)
        correct += base == [known[label] for label in LABELS]
        for family, texts in perturbations(rng, text, template, locations_per_case).items():
            for perturbed in texts:
                passed = decide(perturbed) == base
                tally[family][0] += 1
                tally[family][1] += passed
                if not passed:
                    failures.append((family, text, perturbed))
    return {"families": {f: {"cases": n, "passed": p, "rate": p / n if n else float("nan")}
                         for f, (n, p) in tally.items()},
            "base_accuracy": correct / len(cases), "base_cases": len(cases), "failures": failures}


def table(result):
    lines = ["| perturbation family | cases | passed | pass rate |", "|---|---|---|---|"]
    for family, r in result["families"].items():
        lines.append(f"| {family} | {r['cases']} | {r['passed']} | {r['rate']:.3f} |")
    lines += ["", f"Base sentences: {result['base_cases']}; all 8 decisions equal the known labels on "
                  f"{result['base_accuracy']:.1%} of them."]
    return lines
