"""The generator's phrase banks: every phrasing, sentence frame, location, header and spelling
that model/radlabel_model/generator.py writes reports with, apart from how it combines them.

Each Bank is split into phrasings for the training split and phrasings kept for the
held-out-template split (generator.py's docstring says why). Data only: no randomness here.
"""


class Bank:
    """Phrasings of one kind: `train` ones for the training split, `held_out` ones only for the
    held-out-template split."""

    def __init__(self, train, held_out):
        self.phrasings = {"train": list(train), "held_out": list(held_out)}

    def pick(self, rng, split):
        return rng.choice(self.phrasings[split])


SIDES = ["left", "right"]
LOCATIONS = Bank(
    [" in the {side} frontal lobe", " in the {side} parietal lobe", " in the {side} temporal lobe",
     " in the {side} occipital lobe", " in the pons", " in the {side} cerebellar hemisphere",
     " in the {side} basal ganglia", " in the {side} thalamus", " within the {side} centrum semiovale",
     " in the splenium of the corpus callosum", " in the {side} corona radiata", "",
     " in the {side} putamen", " in the {side} globus pallidus", " in the {side} external capsule",
     " in the {side} frontal white matter", " in the {side} parietal white matter", " in the medulla",
     " in the {side} middle cerebellar peduncle", " in the genu of the corpus callosum",
     " in the {side} precentral gyrus", " in the {side} occipital cortex", " in the vermis",
     " in the {side} temporal pole", " in the {side} hippocampus", " in the {side} cerebral peduncle",
     " in the {side} caudate nucleus", " involving the {side} cingulate gyrus", " in the {side} parietal operculum"],
    [" involving the {side} frontal operculum", " in the {side} insular cortex", " within the midbrain",
     " in the {side} caudate head", " in the {side} internal capsule", ""],
)

# Per category: noun phrases that assert the finding (usable after "There is", "in keeping with",
# "Possible"), and noun phrases that a negation takes ("No ...").
FINDINGS = {
    "acute_stroke": (
        Bank(["an acute infarct", "an acute ischaemic infarct", "acute infarction{loc}",
              "restricted diffusion in keeping with acute infarction", "an acute lacunar infarct",
              "acute embolic infarcts in more than one vascular territory",
              "an acute {side} MCA territory infarct", "a small focus of restricted diffusion{loc} in keeping with acute ischaemia",
              "acute cerebellar infarction", "an acute intracerebral haemorrhage{loc}",
              "a subacute infarct{loc}", "acute watershed infarcts", "cytotoxic oedema with low ADC values{loc}",
              "an acute PCA territory infarct", "DWI hyperintensity with ADC correlate{loc} consistent with acute infarct",
              "an acute parenchymal haematoma{loc}", "acute bilateral thalamic infarcts", "an acute PICA territory infarct",
              "a small acute cortical infarct{loc}", "a DWI positive acute infarct{loc}", "a hyperacute infarct with DWI-FLAIR mismatch",
              "acute infarcts in the border zones", "an acute pontine lacunar infarct", "a haemorrhagic venous infarct",
              "acute emboli in both cerebral hemispheres", "an evolving infarct{loc}",
              "true diffusion restriction{loc} in keeping with acute infarction"],
             ["acute ischaemia{loc} with restricted diffusion", "recent infarction of the {side} MCA territory",
              "an evolving subacute infarct", "multiple small acute emboli", "acute haemorrhage within the {side} thalamus",
              "an acute infarct with surrounding cytotoxic oedema", "a new infarct with true restricted diffusion{loc}",
              "acute lacunar infarction{loc}"]),
        Bank(["acute infarct", "restricted diffusion", "acute ischaemia", "acute ischaemic change", "recent infarction",
              "acute haemorrhage", "intracranial haemorrhage", "acute stroke", "diffusion restriction", "new infarct",
              "haematoma", "territorial infarct", "acute ischaemic event"],
             ["acute infarction", "restricted diffusion to suggest acute infarction", "acute territorial infarct",
              "recent ischaemic event", "DWI abnormality"]),
    ),
    "mass": (
        Bank(["a meningioma", "an enhancing mass{loc}", "a high grade glioma{loc}", "multiple cerebral metastases",
              "a space-occupying lesion{loc}", "a {side} vestibular schwannoma", "a pituitary macroadenoma",
              "an extra-axial mass with a dural tail", "a ring enhancing lesion{loc} with surrounding vasogenic oedema",
              "an intra-axial tumour{loc}", "a low grade glioma{loc}", "a falcine meningioma",
              "a heterogeneously enhancing mass{loc} with mass effect", "metastatic deposits",
              "primary CNS lymphoma", "residual enhancing tumour at the resection margin",
              "a glioblastoma{loc}", "leptomeningeal metastases", "a sellar and suprasellar mass", "a butterfly glioma of the corpus callosum",
              "an enhancing mass in the {side} cerebellopontine angle", "a necrotic enhancing tumour{loc}", "a pituitary microadenoma",
              "a dural based mass with a dural tail", "an intraventricular tumour", "enhancing nodules in keeping with metastases",
              "enhancing tumour in the resection bed", "a large meningioma over the {side} convexity",
              "an infiltrative tumour{loc}", "several ring enhancing deposits", "a solid enhancing tumour{loc}",
              "a {a}.{b} cm extra-axial mass"],
             ["a convexity meningioma over the {side} frontal lobe", "an infiltrative glioma{loc}",
              "several enhancing metastases", "a solid and cystic tumour{loc}", "an extra-axial meningioma",
              "recurrent tumour at the surgical bed", "a mass{loc} with surrounding oedema and midline shift",
              "a large {side} cerebellopontine angle schwannoma"]),
        Bank(["mass lesion", "space-occupying lesion", "intracranial mass", "enhancing lesion", "tumour",
              "mass effect", "intracranial neoplasm", "metastases", "tumour recurrence",
              "residual tumour", "schwannoma", "mass", "neoplastic disease"],
             ["focal mass", "abnormal enhancement", "residual or recurrent tumour", "neoplastic lesion",
              "space occupying lesion"]),
    ),
    "atrophy": (
        Bank(["generalised cerebral volume loss", "generalised atrophy", "bilateral hippocampal atrophy",
              "prominence of the sulci and ventricles in keeping with atrophy", "moderate global atrophy",
              "focal volume loss of the temporal lobes", "cerebellar atrophy", "marked parenchymal volume loss",
              "volume loss more than expected for age", "frontotemporal atrophy", "mesial temporal atrophy",
              "disproportionate parietal volume loss", "vermian atrophy", "midbrain atrophy", "hippocampal volume loss (MTA 3)",
              "parietal predominant atrophy", "callosal thinning and cerebral volume loss", "severe atrophy for age",
              "widening of the sulci and ventricles out of proportion to age", "advanced generalised atrophy",
              "diffuse cerebral volume loss", "volume loss beyond the patient's age",
              "temporal lobe atrophy affecting both sides"],
             ["global cerebral atrophy", "advanced volume loss for the patient's age", "hippocampal volume loss on both sides",
              "atrophy of the {side} temporal lobe", "diffuse brain atrophy", "ex vacuo ventricular prominence from volume loss"]),
        Bank(["significant atrophy", "volume loss", "hippocampal atrophy", "cerebral atrophy",
              "disproportionate atrophy", "focal atrophy", "atrophy", "hippocampal volume loss", "medial temporal atrophy"],
             ["abnormal volume loss", "medial temporal lobe atrophy", "global volume loss"]),
    ),
    "vascular": (
        Bank(["an aneurysm of the anterior communicating artery", "an arteriovenous malformation{loc}",
              "a cavernoma{loc}", "venous sinus thrombosis", "a saccular aneurysm at the {side} MCA bifurcation",
              "a dural arteriovenous fistula", "thrombosis of the superior sagittal sinus", "a developmental venous anomaly{loc}",
              "occlusion of the {side} internal carotid artery", "a {side} vertebral artery dissection",
              "multiple cavernomas", "a basilar tip aneurysm", "moyamoya vasculopathy",
              "an aneurysm of the ophthalmic segment of the {side} ICA", "occlusion of the {side} M1 segment",
              "a vascular malformation with a nidus and an early draining vein", "a cavernous malformation with a haemosiderin rim",
              "thrombus in the {side} transverse sinus", "stenosis of the distal internal carotid arteries with collaterals",
              "a coiled aneurysm with a neck remnant", "an aneurysm arising from the {side} ICA",
              "a developmental venous anomaly with dilated medullary veins{loc}", "a DVA draining into the deep venous system",
              "an occluded {side} vertebral artery", "an intramural haematoma of the {side} vertebral artery"],
             ["a cavernous malformation{loc}", "an AVM{loc} with a nidus and draining veins",
              "thrombosis of the {side} transverse sinus", "a small posterior communicating artery aneurysm",
              "a DVA{loc}", "dissection of the {side} internal carotid artery", "an aneurysm arising from the basilar artery"]),
        Bank(["aneurysm", "vascular malformation", "venous sinus thrombosis", "arteriovenous malformation",
              "cavernoma", "AVM", "dural venous sinus thrombosis", "arterial dissection", "vessel occlusion",
              "dural fistula"],
             ["vascular abnormality", "intracranial aneurysm", "cavernous malformation", "sinus thrombosis"]),
    ),
    "small_vessel_disease": (
        Bank(["periventricular and deep white matter hyperintensities in keeping with small vessel disease",
              "chronic small vessel ischaemic change", "Fazekas grade 2 white matter change", "old lacunar infarcts",
              "moderate small vessel disease", "confluent WMH consistent with SVD",
              "scattered foci of T2 hyperintensity typical of chronic microangiopathy", "Fazekas 1 white matter changes",
              "an old lacune{loc}", "extensive white matter hyperintensities of presumed vascular origin",
              "mild chronic small vessel disease", "Fazekas grade 3 confluent white matter disease",
              "microbleeds in a hypertensive pattern with white matter disease", "old lacunes in the basal ganglia",
              "WMH (Fazekas 2)", "leukoaraiosis", "cerebral amyloid angiopathy with lobar microbleeds",
              "microvascular ischaemic white matter change", "periventricular caps and deep white matter foci of vascular type",
              "patchy white matter hyperintensities of vascular type", "microangiopathic change in the deep white matter",
              "a moderate degree of small vessel disease"],
             ["patchy periventricular white matter signal change of small vessel type", "small vessel ischaemia of moderate degree",
              "chronic lacunar infarcts{loc}", "WMH of presumed vascular origin, Fazekas 2",
              "microangiopathic white matter change", "established small vessel disease"]),
        Bank(["significant small vessel disease", "white matter hyperintensity", "small vessel ischaemic change", "SVD",
              "white matter disease", "lacunar infarcts", "microbleeds", "small vessel disease"],
             ["chronic small vessel change", "WMH", "lacunes"]),
    ),
    "white_matter_inflammation": (
        Bank(["demyelinating plaques", "lesions typical of multiple sclerosis",
              "periventricular ovoid lesions perpendicular to the ventricles in keeping with demyelination",
              "an active enhancing demyelinating lesion", "juxtacortical and infratentorial MS plaques",
              "white matter lesions consistent with ADEM", "a tumefactive demyelinating lesion{loc}",
              "callosal lesions typical of demyelination", "new T2 lesions in keeping with active MS",
              "lesions consistent with neuromyelitis optica spectrum disorder",
              "an area postrema lesion typical of NMOSD", "a tumefactive plaque{loc}", "lesions with a central vein sign",
              "new demyelinating lesions since the last scan", "acute disseminated encephalomyelitis",
              "enhancing plaques indicating active MS", "lesions fulfilling dissemination in space for MS",
              "Dawson finger plaques", "white matter inflammation in keeping with demyelination"],
             ["multiple sclerosis plaques{loc}", "inflammatory demyelination", "Dawson finger lesions of demyelination",
              "an enhancing MS lesion{loc}", "demyelinating disease with new lesions since the prior study"]),
        Bank(["demyelination", "features of multiple sclerosis", "demyelinating lesion", "active demyelination",
              "new or enhancing lesions", "inflammatory white matter disease", "new lesions", "enhancing lesions",
              "demyelinating plaques", "white matter inflammation"],
             ["MS plaques", "demyelinating disease", "active inflammation"]),
    ),
    "encephalomalacia": (
        Bank(["encephalomalacia{loc}", "gliosis and encephalomalacia from a previous infarct",
              "post-traumatic encephalomalacia", "an old infarct{loc} with surrounding gliosis",
              "cystic encephalomalacia with ex vacuo dilatation", "an established {side} MCA territory infarct",
              "old cortical infarcts", "gliosis{loc}", "chronic parenchymal loss at the site of previous contusion",
              "a chronic infarct of the {side} cerebellar hemisphere", "periventricular leukomalacia with gliosis",
              "an old haemorrhagic contusion", "chronic watershed infarcts with gliosis", "cavitation and gliosis of an old infarct",
              "gliosis along the surgical tract", "bifrontal encephalomalacia", "an encephalomalacic cavity{loc}",
              "tissue loss and gliosis from an old infarct"],
             ["encephalomalacic change{loc}", "an area of gliosis and tissue loss{loc}",
              "established infarction of the {side} PCA territory", "old haemorrhagic contusion with encephalomalacia",
              "chronic infarction with cystic change{loc}"]),
        Bank(["encephalomalacia", "gliosis", "established infarction", "old infarct", "chronic infarct",
              "old infarcts", "established territorial infarct",
              "encephalomalacic cavity"],
             ["prior infarction", "encephalomalacic change", "cortical infarct"]),
    ),
}

# Held out by sentence template, not by vocabulary: every cue word (negation, hedge, assertion)
# also occurs in some training template, since no model can learn a word it never saw; the
# held-out templates put known cues into structures the training split never shows.
POSITIVE_FRAMES = Bank(
    ["There is {f}.", "{F} is noted.", "Appearances are in keeping with {f}.", "Demonstrated is {f}.", "{F}.",
     "Findings are consistent with {f}.", "{F}, unchanged since the prior study.", "There is evidence of {f}.",
     "{F} is present.", "Appearances are typical of {f}.", "{F} is seen.", "{F} is again demonstrated.",
     "Imaging shows {f}.", "{F} is identified.", "Note is made of {f}.", "{F} is evident.",
     "Appearances represent {f}.", "The study demonstrates {f}.", "Features compatible with {f}.",
     "{F}, stable in appearance.", "{F} is visible on this examination.", "{F} is seen once more.",
     "{F}, unchanged compared with the last scan.", "The images show {f}.", "MRI demonstrates {f}.",
     "The scan confirms {f}.", "Again noted is {f}.", "{F} is redemonstrated.", "{F} is confirmed.",
     "The examination shows {f}.", "Today's study shows {f}.", "{F} persists.", "Known {f}, again seen."],
    ["There are features compatible with {f}.", "{F}, stable compared with the previous examination.",
     "The appearances are consistent with {f}.", "Once again there is {f}.", "{F} is evident on this study.",
     "In keeping with {f}."],
)
UNCERTAIN_FRAMES = Bank(
    ["Possible {f}.", "{F} cannot be excluded.", "Appearances may represent {f}.", "Equivocal {f}.",
     "Query {f}; clinical correlation advised.", "This is likely to represent {f}, but follow-up is suggested.",
     "Subtle signal change, possibly representing {f}.", "Probable {f}.", "Suspicious for {f}.",
     "?{f}.", "Indeterminate appearance, {f} not excluded.", "Likely {f}.", "{F} is a possibility.",
     "Appearances could reflect {f}.", "{F} is not excluded.", "Differential includes {f}.",
     "Findings may be due to {f}.", "{F} cannot be entirely excluded.", "Possibly {f}, although this is equivocal.",
     "Of uncertain significance; {f} is considered.", "The possibility of {f} is raised.",
     "The signal change may indicate {f}.", "These findings might represent {f}.", "The lesion could be due to {f}.",
     "The abnormality may be in keeping with {f}.", "Perhaps {f}.", "Suspected {f}.", "Questionable {f}.",
     "{F} is a consideration.", "{F} cannot be ruled out.", "{F} is suspected.", "{F} remains possible.",
     "{F} is queried.", "The features might reflect {f}.", "Imaging could suggest {f}."],
    ["Appearances could represent {f}.", "The differential includes {f}.", "This may reflect {f}.",
     "{F} is possible.", "Findings are suspicious for {f}.", "{F} is not entirely excluded on this study.",
     "Likely to represent {f}."],
)
NEGATIVE_FRAMES = Bank(
    ["No evidence of {n}.", "No {n} is seen.", "There is no {n}.", "No {n}.", "{N} is not identified.",
     "Specifically, no {n}.", "No {n} is demonstrated.", "{N} is not seen.", "No features of {n}.",
     "There is no evidence of {n}.", "No convincing {n}.", "{N} is absent.", "Negative for {n}.",
     "No features to suggest {n}.", "No {n} is present.", "Without {n}.", "No signs of {n}.",
     "{N} is excluded.", "There are no signs of {n}.", "Nothing to suggest {n}.", "No definite {n}.",
     "{N} is not present.", "The images show no {n}.", "MRI demonstrates no {n}."],
    ["There is no convincing evidence of {n}.", "{N} is not demonstrated on this study.",
     "No imaging features to suggest {n}.", "There are no features of {n}.",
     "No {n} is identified on this examination.", "Without evidence of {n}."],
)
# One negation over a list of findings of several categories.
NEGATIVE_LIST_FRAMES = Bank(
    ["No {list}.", "No evidence of {list}.", "There is no {list}.", "Specifically, there is no {list}.",
     "No {list} is identified.", "Negative for {list}."],
    ["There is no evidence of {list}.", "No {list} is seen on this study."],
)
# A negation and an assertion in one sentence: the negation's scope must end at the conjunction.
CONTRAST_FRAMES = Bank(
    ["No {n}, but there is {f}.", "There is no {n}; however, there is {f}.", "No {n}; {f} is noted.",
     "{F} is seen, without {n}.", "No {n} although {f} is present.", "{F} is noted, while there is no {n}."],
    ["While there is no {n}, there is {f}.", "There is {f}, but no {n}."],
)
RESOLVED_FRAMES = Bank(
    ["The previously seen {n} has resolved.", "{N} on the prior study is no longer seen.",
     "Interval resolution of the previously reported {n}."],
    ["The {n} reported previously is no longer seen."],
)
CONCLUSION_POSITIVE = Bank(
    ["{F}.", "{F}.",  # twice: the bare restatement is the commonest conclusion "Findings in keeping with {f}.", "{F} as described.", "Appearances consistent with {f}.",
     "Impression of {f}.", "{F}, as detailed above."],
    ["{F}, as described above.", "Features in keeping with {f}."],
)
# Conclusions that only point back at the findings: the findings must be read.
CONCLUSION_AS_ABOVE = Bank(["Findings as described above.", "As above.", "See findings."],
                           ["Abnormal study, as described."])

# Negative statements specific to a category that mention its words (normal for age, grade 0).
SPECIAL_NEGATIVES = {
    "atrophy": Bank(["Brain volume is appropriate for age.", "Mild generalised volume loss, within normal limits for age.",
                     "No atrophy beyond that expected for age.", "Age-appropriate cerebral volume.",
                     "Volume loss within the range expected for the patient's age.", "Changes of normal ageing only."],
                    ["Cerebral volume is normal for the patient's age.", "Volume loss is in keeping with normal ageing."]),
    "small_vessel_disease": Bank(["No white matter hyperintensities (Fazekas 0).", "Fazekas grade 0.",
                                  "A few nonspecific punctate white matter foci, normal for age.",
                                  "A single isolated white matter focus of no significance."],
                                 ["White matter is normal, Fazekas 0.", "Isolated nonspecific white matter foci within normal limits for age."]),
    "acute_stroke": Bank(["No restricted diffusion.", "DWI is normal."],
                         ["Diffusion weighted imaging shows no restriction."]),
    "vascular": Bank(["Normal flow voids are present in the major intracranial vessels.",
                      "The dural venous sinuses are patent."],
                     ["Intracranial arterial flow voids are preserved."]),
}

NORMAL_SENTENCES = Bank(
    ["The ventricles are normal in size and configuration.", "No intracranial haemorrhage.",
     "The posterior fossa structures are normal.", "The pituitary gland is unremarkable.",
     "Grey-white matter differentiation is preserved.", "The orbits are unremarkable.",
     "The cerebellar tonsils are normally positioned.", "No extra-axial collection.",
     "The midline structures are central.", "The basal cisterns are patent.",
     "The internal auditory meati are normal.", "The craniocervical junction is normal.",
     "No abnormal susceptibility on SWI.", "The brainstem is normal in signal.",
     "The corpus callosum is intact.", "There is no hydrocephalus.", "The sella and parasellar regions are normal.",
     "The calvarium and skull base are unremarkable.", "Cortical sulci are normal.",
     "The visualised upper cervical cord is normal.", "There is no midline shift.",
     "The cerebral hemispheres are symmetrical.", "No abnormal enhancement following contrast.",
     "The major intracranial vessels show normal flow voids.", "The optic nerves and chiasm are normal.",
     "The deep grey nuclei are normal.", "The fourth ventricle is midline.",
     # Normal statements about the anatomy that findings also name: a structure's name is not a
     # finding (pineal, pituitary, hippocampi, white matter, vessels, sinuses, cerebellum, ...).
     "The pineal gland is normal.", "Normal pituitary gland and stalk.", "The hippocampi are normal in volume.",
     "The white matter is normal in signal.", "The venous sinuses are patent.", "The cerebellum is normal.",
     "The basal ganglia and thalami are normal.", "Normal appearance of the internal capsules.",
     "The cortex is of normal thickness and signal.", "The cerebellopontine angles are clear.",
     "The internal auditory canals are normal.", "The optic nerves are normal.", "No mass effect.",
     "No abnormal restricted diffusion.", "No susceptibility artefact to suggest blood products.",
     "The temporal lobes are symmetrical.", "The vermis is normal.", "The circle of Willis is normal.",
     "The cavernous sinuses are normal.", "The meninges are normal.", "Normal corpus callosum.",
     "No abnormal intracranial enhancement.", "The brain volume is normal.", "Key images are saved to PACS.",
     "See series {b} image {a} for the key image.", "Images reviewed at the workstation.",
     "The midbrain and pons are normal.", "The ventricular system is normal.", "Sulci and cisterns are normal.",
     "The brain parenchyma is normal throughout.", "The sellar region is normal."],
    ["The lateral ventricles are symmetrical and not dilated.", "Normal appearances of the cerebellum.",
     "The brain parenchyma returns normal signal throughout.", "No blood products are seen.",
     "The extra-axial spaces are within normal limits.", "The pineal region is normal.",
     "Appearances of the skull base are normal.", "The hippocampi are symmetrical in size and signal.",
     "Normal appearance of the deep white matter.", "No dural thickening or enhancement."],
)
# Training only: normal statements composed from structures and predicates, so that the model
# learns that naming a structure asserts nothing and "normal" in any wording is normal, rather
# than memorising a list of normal sentences (the held-out split keeps its own sentences).
NORMAL_STRUCTURES = [
    ("ventricles", True), ("basal cisterns", True), ("cerebellum", False), ("brainstem", False), ("pons", False),
    ("midbrain", False), ("medulla", False), ("corpus callosum", False), ("thalami", True), ("basal ganglia", True),
    ("internal capsules", True), ("cerebral peduncles", True), ("hippocampi", True), ("amygdalae", True),
    ("temporal lobes", True), ("frontal lobes", True), ("parietal lobes", True), ("occipital lobes", True),
    ("insular cortex", False), ("cerebral cortex", False), ("deep white matter", False),
    ("periventricular white matter", False), ("pituitary gland", False), ("pineal gland", False),
    ("optic chiasm", False), ("optic nerves", True), ("orbits", True), ("cerebellopontine angles", True),
    ("internal auditory meati", True), ("vertebral arteries", True), ("basilar artery", False),
    ("internal carotid arteries", True), ("dural venous sinuses", True), ("transverse sinuses", True),
    ("sigmoid sinuses", True), ("straight sinus", False), ("subarachnoid spaces", True), ("sulci", True),
    ("fourth ventricle", False), ("third ventricle", False), ("cerebral aqueduct", False), ("foramen magnum", False),
    ("calvarium", False), ("craniocervical junction", False), ("dura", False), ("choroid plexus", False),
    ("septum pellucidum", False), ("mammillary bodies", True), ("tectal plate", False), ("cerebellar vermis", False),
    ("pituitary stalk", False), ("pituitary fossa", False), ("middle cerebral arteries", True), ("cerebellar hemispheres", True),
    ("lateral ventricles", True), ("brain parenchyma", False), ("caudate nuclei", True), ("cortical veins", True),
]
NORMAL_FRAMES = ["The {s} {be} normal.", "The {s} {be} unremarkable.", "The {s} {be} within normal limits.",
                 "The {s} {be} normal in size and signal.", "The {s} {be} normal in appearance.",
                 "Normal {s}.", "Unremarkable {s}.", "No abnormality of the {s}.", "No abnormal signal in the {s}.",
                 "The {s} {be} of normal appearance.", "The {s} {be} preserved.", "The appearance of the {s} is normal."]


DETAIL_SENTENCES = Bank(
    ["On FLAIR the periventricular white matter returns normal signal.",
     "Susceptibility weighted imaging shows no microhaemorrhage.",
     "Post contrast T1 images show normal dural and vascular enhancement.",
     "The temporal horns are not dilated.", "The cerebral aqueduct is patent.",
     "Mastoid air cells are clear.", "The paranasal sinuses are clear.",
     "The globes and retro-orbital fat are normal.", "The cervicomedullary junction is normal.",
     "Images are of diagnostic quality despite mild motion artefact.",
     "The lesion measures {a} x {b} mm in axial dimensions.", "Measurements are on image {a} of series {b}.",
     "The third ventricle measures {a} mm in width.", "The Evans index is 0.{a}.",
     "See key images on PACS.", "Comparison is made with the previous study where available.",
     "The largest focus measures {a}.{b} mm.", "Coronal FLAIR through the temporal lobes is normal."],
    ["Sagittal images show a normal pituitary stalk.", "The cavernous sinuses are symmetrical.",
     "There is mild motion degradation of the DWI sequence.", "Coronal images through the hippocampi are normal.",
     "The largest measures {a} mm on the axial FLAIR image.", "See key images, series {b} image {a}."],
)
INTRACRANIAL_INCIDENTAL = Bank(
    ["A small arachnoid cyst in the {side} middle cranial fossa.", "Incidental pineal cyst measuring {a} mm.",
     "Partially empty sella.", "Low-lying cerebellar tonsils, {a} mm below the foramen magnum.",
     "A colloid cyst at the foramen of Monro without hydrocephalus.",
     "A simple arachnoid cyst at the {side} cerebellopontine angle."],
    ["An arachnoid cyst in the posterior fossa, of no clinical significance.", "A simple pineal cyst is noted.",
     "Empty sella configuration."],
)
EXTRACRANIAL_INCIDENTAL = Bank(
    ["Mucosal thickening in the maxillary sinuses.", "Fluid in the {side} mastoid air cells.",
     "A retention cyst in the {side} maxillary sinus.", "Minor ethmoid mucosal thickening.",
     "Nasal septal deviation to the {side}.", "Mucosal thickening with partial opacification of the sphenoid sinus.",
     "Polypoidal thickening of the maxillary sinus mucosa."],
    ["Incidental paranasal sinus mucosal disease.", "Partial opacification of the {side} mastoid air cells.",
     "Polypoidal mucosal thickening in the sphenoid sinus."],
)
POSTOP = Bank(
    ["Post-operative changes following a {side} frontal craniotomy.", "A resection cavity{loc} following previous surgery.",
     "Post-surgical changes of a {side} parietal craniotomy with underlying gliosis.",
     "A ventriculoperitoneal shunt enters via the {side} parietal approach."],
    ["Appearances following resection{loc}, with a small post-operative cavity.",
     "Stable post-operative appearances after {side} temporal craniotomy."],
)
POSTOP_NO_TUMOUR = Bank(["No residual or recurrent tumour.", "No enhancing residual tumour."],
                        ["There is no evidence of tumour recurrence."])

CLINICAL = Bank(
    ["Headache.", "?stroke", "Left sided weakness. ?CVA", "Known MS, follow up.", "Memory decline.", "Seizure.",
     "Query mass.", "Dizziness and vertigo.", "Visual disturbance.", "Cognitive impairment. ?dementia",
     "Follow up of known lesion.", "Sudden onset right arm weakness.", "Previous meningioma resection, surveillance.",
     "Fall with head injury.", "Confusion. History of hypertension and diabetes.", "?demyelination. Optic neuritis.",
     "Worst headache of life. ?aneurysm", "Staging, lung cancer.", "Dysphasia, onset this morning.",
     "Tinnitus, ?acoustic neuroma", "Headache and papilloedema. ?venous sinus thrombosis", "?MS", "?tumour",
     "?metastases. Known melanoma.", "?atrophy", "?small vessel disease", "?encephalomalacia after trauma",
     "Known AVM, follow up.", "?SOL", "Gait disturbance, ?NPH", "?haemorrhage", "Previous stroke, new symptoms.",
     "Progressive headache in an adult.", "Slurred speech, onset today.", "TIA last week.", "Recurrent seizures on treatment."],
    ["New onset seizures in an adult.", "Known glioma, post treatment review.", "Slurred speech. ?TIA",
     "Progressive gait disturbance.", "Papilloedema. ?venous sinus thrombosis", "Follow up of white matter lesions."],
)
TECHNIQUE = Bank(
    ["Axial T1, T2, FLAIR, DWI and SWI sequences.", "Sagittal T1, axial T2 and FLAIR, DWI.",
     "Multiplanar multisequence MRI of the brain including post contrast imaging.",
     "Routine brain protocol with DWI and SWI.", "MRI head without and with gadolinium.",
     "Standard stroke protocol: DWI, ADC, FLAIR, SWI and TOF MRA.", "3T MRI brain, volumetric T1 and FLAIR.",
     "Coronal FLAIR, 3D T1 and perfusion imaging."],
    ["Axial and coronal T2, FLAIR, diffusion and susceptibility imaging.", "MRI brain, MS protocol with contrast.",
     "Tumour protocol including perfusion and post gadolinium 3D T1."],
)
COMPARISON = Bank(
    ["None.", "Previous MRI dated 12/03/2019.", "CT head from yesterday.", "No prior imaging available.",
     "MRI brain of {a} months ago.", "Prior study dated 01/02/2021.", "Outside hospital MRI from {a} days ago."],
    ["Previous CT of {a} days ago.", "MRI from the referring hospital, {a} months prior."],
)
NORMAL_CONCLUSIONS = Bank(
    ["Normal MRI brain.", "No intracranial abnormality.", "Unremarkable study.", "Normal MRI brain for age.",
     "No acute intracranial abnormality.", "No abnormality to account for the symptoms.",
     "Normal appearances of the brain.", "No significant intracranial pathology.", "Normal study.",
     "No structural cause for the seizures."],
    ["No intracranial abnormality is identified.", "Normal appearances, no cause for the symptoms."],
)
INCIDENTAL_CONCLUSIONS = Bank(
    ["No significant intracranial abnormality. Incidental finding as above.",
     "Otherwise no intracranial abnormality.", "Incidental extracranial finding only."],
    ["Incidental finding only, as described."],
)
# Training only: clinical details that name a finding, composed from the findings' own terms, so
# that the model learns the question or history never counts (model/LABEL_RULES.md), whatever
# the finding; and recommendations in the conditional, which hedge nothing about the brain.
CLINICAL_HISTORY_FRAMES = ["Known {n}, follow up.", "History of {n}.", "Previous {n}.", "Background of {n}; new symptoms.",
                           "Known {n}. Surveillance.", "{N} on the previous scan, review.", "Treated {n}, interval scan.",
                           "Known {n}, now worse.", "?{n}", "Query {n}.", "Rule out {n}.", "Exclude {n}.",
                           "Past history of {n}, headaches."]
# Training only: clinical details that name a finding in its full phrasing (a resected meningioma,
# a treated glioma): the history is not this examination's finding, whatever words it uses.
CLINICAL_FINDING_FRAMES = ["History of {f}.", "Previous imaging showed {f}.", "Follow-up of {f}.",
                           "Referred with {f} on CT.", "Surveillance after resection of {f}.",
                           "{F} treated {a} years ago, annual surveillance.", "Background of {f}, now new symptoms."]
# Training only: remarks on image quality name a sequence and words that findings use ("mild",
# "signal", "limited") but state nothing about the brain.
QUALITY_FRAMES = ["Mild motion artefact on the {q} images.", "The {q} sequence is degraded by patient motion.",
                  "Some image degradation from movement on the {q} images.",
                  "Motion artefact limits assessment of the {q} sequence.",
                  "There is minor movement artefact on the {q} images.",
                  "The {q} images are of limited quality due to motion.",
                  "Susceptibility artefact from dental work affects the {q} images.",
                  "The {q} sequence was repeated because of motion.",
                  "Pulsation artefact on the {q} images, of no significance.",
                  "Diagnostic quality {q} images despite slight motion."]
SEQUENCES = ["DWI", "FLAIR", "T2", "T1", "SWI", "coronal T2", "ADC", "post contrast T1", "perfusion", "axial FLAIR",
             "sagittal T1", "diffusion weighted"]
RECOMMENDATION_FRAMES = ["Repeat imaging in {a} months would be useful.", "Further imaging may be helpful if symptoms persist.",
                         "A follow-up scan could be considered in {a} weeks.", "Consider repeat MRI with contrast.",
                         "Correlation with the clinical findings would be helpful.",
                         "Suggest review in the multidisciplinary meeting.", "An interval scan might be useful."]


RECOMMENDATIONS = Bank(
    ["Suggest follow-up MRI in 6 months.", "Discussed with the referring team.", "Clinical correlation is recommended.",
     "Neurosurgical referral advised.", "Report discussed with the stroke team by telephone.",
     "Recommend follow-up MRI in 12 months.", "Please send any outside imaging for comparison."],
    ["Recommend comparison with any outside imaging.", "Follow-up imaging at 3 months would be helpful."],
)
HEADERS = {
    "clinical": Bank(["clinical details", "clinical history", "indication", "history", "relevant information"],
                     ["clinical information"]),
    "technique": Bank(["technique", "sequences", "protocol"], ["MRI head"]),
    "comparison": Bank(["comparison", "prior imaging"], ["previous"]),
    "findings": Bank(["findings", "report", "imaging observations"], ["observations"]),
    "conclusion": Bank(["conclusion", "impression", "summary", "opinion", "overall comment"], ["comment"]),
}
SPELLINGS = [("haemorrhage", "hemorrhage"), ("haemorrhagic", "hemorrhagic"), ("oedema", "edema"),
             ("tumour", "tumor"), ("ischaemi", "ischemi"), ("generalised", "generalized"), ("haemosiderin", "hemosiderin"),
             ("microhaemorrhage", "microhemorrhage"), ("papilloedema", "papilledema")]
DICTATION_ARTEFACTS = [" full stop", " [inaudible]", " new paragraph", " comma", ""]

# Markers of list items, and frames that assert a finding in a report's findings list.
BULLETS = ["- ", "* ", "\u2022 ", "{n}. ", "{n}) ", "({n}) ", ""]
REPORT_FRAMES = ["There is {f}.", "{F}.", "There is evidence of {f}.", "Seen is {f}.", "Noted is {f}.",
                 "Again seen is {f}.", "Images show {f}.", "{F} is noted.", "{F} is present.", "There are {f}.",
                 "The study shows {f}.", "MRI shows {f}."]
