"""A first synthetic head-MRI report generator (realism is deepened by a later issue).

Each report is assembled from sections (clinical details, technique, comparison, findings,
conclusion). Every category gets a class drawn at random; positive findings are asserted,
uncertain ones hedged, negative ones either negated or left unmentioned, following the rules in
labels.py. The generator is deterministic for a given seed.
"""
import csv
import random

from .labels import CATEGORIES, NEGATIVE, POSITIVE, UNCERTAIN, abnormal_class

LOCATIONS = [
    " in the left frontal lobe", " in the right frontal lobe", " in the left parietal lobe",
    " in the right temporal lobe", " in the left occipital lobe", " in the pons",
    " in the right cerebellar hemisphere", " in the left basal ganglia", " in the right thalamus",
    " in the left centrum semiovale", " within the corpus callosum", "",
]

# Per category: phrases that assert the finding, and phrases used after a negation.
FINDINGS = {
    "acute_stroke": (
        ["an acute infarct", "an acute ischaemic infarct", "restricted diffusion consistent with acute infarction",
         "an acute lacunar infarct", "acute embolic infarcts", "an acute infarct in the MCA territory",
         "a small focus of restricted diffusion in keeping with acute ischaemia", "acute cerebellar infarction"],
        ["acute infarct", "restricted diffusion", "acute ischaemia", "acute ischaemic change", "recent infarction"],
    ),
    "mass": (
        ["a meningioma", "an enhancing mass", "a high grade glioma", "multiple cerebral metastases",
         "a space-occupying lesion", "a vestibular schwannoma", "a pituitary macroadenoma",
         "an extra-axial mass with dural tail", "a ring enhancing lesion with surrounding oedema"],
        ["mass lesion", "space-occupying lesion", "intracranial mass", "enhancing lesion", "tumour"],
    ),
    "atrophy": (
        ["generalised cerebral volume loss", "generalised atrophy", "bilateral hippocampal atrophy",
         "prominence of the sulci and ventricles in keeping with atrophy", "moderate global atrophy",
         "focal volume loss of the temporal lobes", "cerebellar atrophy"],
        ["significant atrophy", "volume loss", "hippocampal atrophy", "cerebral atrophy"],
    ),
    "vascular": (
        ["an aneurysm of the anterior communicating artery", "an arteriovenous malformation",
         "a cavernoma", "venous sinus thrombosis", "a saccular aneurysm of the left MCA bifurcation",
         "a dural arteriovenous fistula", "thrombosis of the superior sagittal sinus"],
        ["aneurysm", "vascular malformation", "venous sinus thrombosis", "arteriovenous malformation",
         "cavernoma"],
    ),
    "small_vessel_disease": (
        ["periventricular and deep white matter hyperintensities in keeping with small vessel disease",
         "chronic small vessel ischaemic change", "Fazekas grade 2 white matter change",
         "old lacunar infarcts", "moderate small vessel disease", "confluent WMH consistent with SVD",
         "scattered foci of T2 hyperintensity typical of chronic microangiopathy"],
        ["significant small vessel disease", "white matter hyperintensity", "small vessel ischaemic change",
         "SVD"],
    ),
    "white_matter_inflammation": (
        ["demyelinating plaques", "lesions typical of multiple sclerosis",
         "periventricular ovoid lesions perpendicular to the ventricles in keeping with demyelination",
         "an active enhancing demyelinating lesion", "juxtacortical and infratentorial MS plaques",
         "white matter lesions consistent with ADEM"],
        ["demyelination", "features of multiple sclerosis", "demyelinating lesion", "active demyelination"],
    ),
    "encephalomalacia": (
        ["encephalomalacia", "gliosis and encephalomalacia from a previous infarct",
         "post-traumatic encephalomalacia", "an old infarct with surrounding gliosis",
         "cystic encephalomalacia with ex vacuo dilatation"],
        ["encephalomalacia", "gliosis", "established infarction"],
    ),
}

POSITIVE_TEMPLATES = [
    "There is {f}{loc}.", "{F}{loc} is noted.", "Appearances are in keeping with {f}{loc}.",
    "Demonstrated is {f}{loc}.", "{F}{loc}.", "Findings are consistent with {f}.",
    "{F}{loc}, unchanged since the prior study.",
]
UNCERTAIN_TEMPLATES = [
    "Possible {f}{loc}.", "{F} cannot be excluded.", "Appearances may represent {f}.",
    "Subtle signal change{loc}, possibly representing {f}.", "Equivocal {f}{loc}.",
    "Query {f}{loc}; clinical correlation advised.", "This is likely to represent {f}, but follow-up is suggested.",
]
NEGATIVE_TEMPLATES = [
    "No evidence of {n}.", "No {n} is seen.", "There is no {n}.", "No {n}.",
    "{N} is not identified.", "Specifically, no {n}.",
]
NORMAL_SENTENCES = [
    "The ventricles are normal in size and configuration.", "No intracranial haemorrhage.",
    "The posterior fossa structures are normal.", "Normal flow voids are present in the major vessels.",
    "The pituitary gland is unremarkable.", "Grey-white matter differentiation is preserved.",
    "The orbits are unremarkable.", "The cerebellar tonsils are normally positioned.",
    "No extra-axial collection.", "The midline structures are central.",
    "The basal cisterns are patent.", "The internal auditory meati are normal.",
]
INCIDENTAL = [
    "Mucosal thickening in the maxillary sinuses.", "A small arachnoid cyst in the left middle cranial fossa.",
    "Incidental pineal cyst.", "Fluid in the right mastoid air cells.",
]
CLINICAL = [
    "Headache.", "?stroke", "Left sided weakness. ?CVA", "Known MS, follow up.", "Memory decline.",
    "Seizure.", "Query mass.", "Dizziness and vertigo.", "Visual disturbance.", "Cognitive impairment.",
    "Follow up of known lesion.", "Sudden onset right arm weakness.",
]
TECHNIQUE = [
    "Axial T1, T2, FLAIR, DWI and SWI sequences.", "Sagittal T1, axial T2 and FLAIR, DWI.",
    "Multiplanar multisequence MRI of the brain including post contrast imaging.",
    "Routine brain protocol with DWI and SWI.",
]
COMPARISON = ["None.", "Previous MRI dated 12/03/2019.", "CT head from yesterday.", "No prior imaging available."]
SPELLINGS = [("haemorrhage", "hemorrhage"), ("oedema", "edema"), ("tumour", "tumor"),
             ("ischaemi", "ischemi"), ("generalised", "generalized")]


def _capitalise(s):
    return s[0].upper() + s[1:] if s else s


def _sentence(rng, category, cls):
    positive, negated = FINDINGS[category]
    if cls == NEGATIVE:
        n = rng.choice(negated)
        return rng.choice(NEGATIVE_TEMPLATES).format(n=n, N=_capitalise(n))
    f = rng.choice(positive)
    loc = rng.choice(LOCATIONS) if rng.random() < 0.4 else ""
    template = rng.choice(POSITIVE_TEMPLATES if cls == POSITIVE else UNCERTAIN_TEMPLATES)
    return template.format(f=f, F=_capitalise(f), loc=loc)


def _typo(rng, word):
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def generate_report(rng):
    """Returns (text, classes) where classes maps every label name to a class index."""
    classes = {}
    for c in CATEGORIES:
        r = rng.random()
        classes[c] = POSITIVE if r < 0.14 else UNCERTAIN if r < 0.20 else NEGATIVE
    incidental = rng.random() < 0.12
    classes["abnormal"] = abnormal_class([classes[c] for c in CATEGORIES], incidental)

    findings = []
    for c in CATEGORIES:
        if classes[c] != NEGATIVE or rng.random() < 0.35:
            findings.append(_sentence(rng, c, classes[c]))
    findings += rng.sample(NORMAL_SENTENCES, rng.randint(1, 5))
    if incidental:
        findings.append(rng.choice(INCIDENTAL))
    # A long tail of reports: extra descriptive paragraphs exercise chunking.
    if rng.random() < 0.05:
        findings += [rng.choice(NORMAL_SENTENCES) for _ in range(rng.randint(20, 60))]
    rng.shuffle(findings)

    positives = [c for c in CATEGORIES if classes[c] == POSITIVE]
    hedged = [c for c in CATEGORIES if classes[c] == UNCERTAIN]
    if positives or hedged:
        conclusion = " ".join(_sentence(rng, c, classes[c]) for c in positives + hedged)
    elif incidental:
        conclusion = "No acute intracranial abnormality. Incidental finding as above."
    else:
        conclusion = rng.choice(["Normal MRI brain.", "No intracranial abnormality.",
                                 "Unremarkable study. Brain volume is appropriate for age."])

    upper = rng.random() < 0.5
    header = (lambda h: h.upper()) if upper else (lambda h: h.title())
    paragraphs = [
        f"{header('clinical details')}: {rng.choice(CLINICAL)}",
        f"{header('technique')}: {rng.choice(TECHNIQUE)}",
        f"{header('comparison')}: {rng.choice(COMPARISON)}",
        f"{header('findings')}: " + " ".join(findings),
        f"{header('conclusion')}: {conclusion}",
    ]
    text = "\n".join(paragraphs)
    if rng.random() < 0.5:
        for british, american in SPELLINGS:
            text = text.replace(british, american)
    if rng.random() < 0.2:
        words = text.split(" ")
        j = rng.randrange(len(words))
        words[j] = _typo(rng, words[j])
        text = " ".join(words)
    return text, classes


def write_reports_csv(path, reports):
    """Writes reports as the CSV the CLI and benchmarks read: columns report_id, text."""
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["report_id", "text"])
        for r in reports:
            writer.writerow([r["id"], r["text"]])


def generate(n, seed, id_prefix="r"):
    """Yields n dicts {id, text, labels} deterministically from seed."""
    rng = random.Random(seed)
    for i in range(n):
        text, classes = generate_report(rng)
        yield {"id": f"{id_prefix}{i:06d}", "text": text, "labels": classes}
