"""Writing like real head-MRI text, for the training split: findings described at length rather
than named in a short template, abnormalities outside the seven categories, extracranial findings,
figure captions and case-history sentences (generator.py writes the reports, and lists their
findings without full stops). Labelled by model/LABEL_RULES.md, including its "Reading real
text" section.

Why: a model trained only on short templated sentences learnt their shape. Real sentences are
long (measurements, signal and enhancement, extension, a diagnosis hedged or asserted at the
end), name every anatomical structure in abnormal sentences as well as normal ones, assert bare
words ("a mass", "tumour", "lesion"), describe abnormalities outside the seven categories, and
come as captions ("Axial FLAIR image showing ...") or list items. Everything here draws from
phrasings of its own; generator.py's held-out phrasings are never used, so the held-out-template
split still measures phrasings the training split never saw.

A finding is (text, {label: class}); a text is built with `Text`, which records the character
span and labels of every finding for the sentence-level loss (generator.generate_report's
statements).
"""
from .labels import CATEGORIES, NEGATIVE, POSITIVE, UNCERTAIN

SIDES = ["left", "right", "left", "right", "bilateral", "L", "R", "L.", "R.", "Lt", "Rt"]

# Every structure a location names; normal statements name the same ones (`normal_statement`),
# so that no structure's name speaks for normality or for a finding.
STRUCTURES = [
    "{side} frontal lobe", "{side} parietal lobe", "{side} temporal lobe", "{side} occipital lobe", "pons",
    "{side} cerebellar hemisphere", "{side} basal ganglia", "{side} thalamus", "{side} centrum semiovale",
    "splenium of the corpus callosum", "genu of the corpus callosum", "corpus callosum", "{side} corona radiata",
    "{side} putamen", "{side} globus pallidus", "{side} caudate nucleus", "{side} internal capsule",
    "{side} external capsule", "{side} insula", "{side} hippocampus", "{side} mesial temporal lobe",
    "{side} cerebellopontine angle", "{side} internal auditory canal", "third ventricle", "fourth ventricle",
    "{side} lateral ventricle", "lateral ventricles", "suprasellar cistern", "sella", "sella turcica",
    "pituitary gland", "pituitary fossa", "pineal region", "tectal plate", "midbrain", "medulla", "brainstem",
    "vermis", "cerebellum", "{side} cavernous sinus", "cavernous sinuses", "foramen magnum",
    "{side} convexity", "falx", "tentorium", "{side} middle cranial fossa", "posterior fossa",
    "periventricular white matter", "deep white matter", "subcortical white matter", "juxtacortical white matter",
    "{side} cerebral hemisphere", "both cerebral hemispheres", "{side} frontoparietal region",
    "{side} parieto-occipital region", "{side} temporo-occipital region", "{side} precentral gyrus",
    "{side} cingulate gyrus", "{side} cerebral peduncle", "{side} middle cerebellar peduncle", "hypothalamus",
    "optic chiasm", "{side} sylvian fissure", "interhemispheric fissure",
    "superior sagittal sinus", "{side} transverse sinus", "{side} sigmoid sinus", "straight sinus",
    "{side} middle cerebral artery territory", "{side} MCA territory", "{side} PCA territory", "{side} ACA territory",
    "{side} dentate nucleus", "{side} frontal horn", "{side} occipital horn", "septum pellucidum",
    "{side} periventricular region", "{side} parasagittal region", "{side} temporal pole", "{side} uncus",
    "{side} amygdala", "cerebral aqueduct", "{side} foramen of Monro", "choroid plexus", "leptomeninges",
    "{side} frontal operculum", "{side} occipital cortex", "{side} parietal cortex", "{side} cerebellar tonsil",
]
# Outside the cranial cavity: findings here make no label positive (model/LABEL_RULES.md).
EXTRACRANIAL_STRUCTURES = ["{side} orbit", "{side} maxillary sinus", "sphenoid sinus", "ethmoid sinuses",
                           "{side} mastoid air cells", "{side} parotid gland", "scalp", "{side} temporalis muscle",
                           "nasopharynx", "{side} masticator space", "{side} globe", "{side} lacrimal gland",
                           "{side} optic nerve within the orbit", "{side} temporomandibular joint", "nasal cavity",
                           "frontal sinus", "{side} petrous apex air cells", "retro-orbital fat", "skull base",
                           "greater wing of the {side} sphenoid", "{side} lateral rectus muscle", "{side} occipital condyle",
                           "hard palate", "{side} maxilla", "{side} temporal bone", "{side} external auditory canal",
                           "{side} submandibular gland", "oropharynx", "upper cervical soft tissues", "{side} orbital wall"]
EXTRACRANIAL_FINDINGS = ["{z}mass in the {x}", "mucosal thickening of the {x}", "a {z}lesion in the {x}",
                         "fluid in the {x}", "enhancement of the {x}", "a cyst in the {x}", "a tumour of the {x}",
                         "opacification of the {x}", "a polyp in the {x}", "swelling of the {x}",
                         "a {z}mass arising from the {x} without intracranial extension"]
PREPOSITIONS = ["in the", "in the", "within the", "involving the", "at the", "of the", "in the region of the",
                "affecting the", "centred on the", "arising from the", "along the"]

SEQUENCES = ["T2-weighted", "T1-weighted", "FLAIR", "T2 FLAIR", "diffusion-weighted", "DWI", "ADC",
             "post-contrast T1-weighted", "gadolinium-enhanced T1-weighted", "contrast-enhanced T1", "SWI",
             "gradient echo", "T2*", "T2W", "T1WI", "T2WI", "T1 post gadolinium", "proton density", "STIR",
             "3D T1", "fluid-attenuated inversion recovery", "susceptibility-weighted", "T1 FLAIR", "MPRAGE"]
PLANES = ["axial", "coronal", "sagittal", "midsagittal", "trans-axial", "parasagittal", "oblique coronal"]
MODALITIES = ["MRI", "MR image", "magnetic resonance imaging", "brain MRI", "MRI of the brain", "cranial MRI",
              "head MRI", "MR imaging", "magnetic resonance image", "cerebral MRI", "MRI scan", "brain MR",
              "MRI brain", "MR scan", "image", "images", "scan", "MRI head", "magnetic resonance (MR) imaging"]
SHOW_VERBS = ["showing", "shows", "demonstrating", "demonstrates", "revealing", "reveals", "revealed", "showed",
              "with", "depicting", "displays", "illustrating", "confirms", "confirming", "identified",
              "demonstrated", "disclosed", "shows evidence of", "of a patient with"]

SIZES = ["", "", "", "small ", "large ", "tiny ", "giant ", "huge ", "sizeable ", "moderate ", "well-defined ",
         "ill-defined ", "lobulated ", "rounded ", "ovoid ", "irregular ", "multiple ", "several ", "two ",
         "numerous ", "scattered ", "bilateral ", "solitary ", "single ", "confluent ", "patchy ", "focal ", "diffuse "]
SIGNALS = ["", "", "hyperintense ", "hypointense ", "T2 hyperintense ", "FLAIR hyperintense ", "T1 hypointense ",
           "T1 hyperintense ", "isointense ", "heterogeneous ", "enhancing ", "non-enhancing ", "mixed signal ",
           "low signal ", "high signal ", "bright ", "hyper intense ", "T2/FLAIR hyperintense ", "DWI hyperintense "]
# Descriptors that suit a category's findings, put before its names.
DESCRIPTORS = {
    "acute_stroke": ["small ", "large ", "wedge-shaped ", "patchy ", "multiple ", "bilateral ", "scattered ",
                     "DWI hyperintense ", "diffusion-restricting ", "punctate ", "confluent ", "extensive ", "new "],
    "mass": ["large ", "small ", "lobulated ", "heterogeneously enhancing ", "ring-enhancing ", "homogeneously enhancing ",
             "necrotic ", "solid ", "cystic ", "solid and cystic ", "infiltrative ", "expansile ", "calcified ",
             "haemorrhagic ", "avidly enhancing ", "well-circumscribed ", "intensely enhancing ", "uniformly enhancing ",
             "rim-enhancing ", "T2 hyperintense ", "huge ", "giant ", "bulky ", "multiple "],
    "atrophy": ["mild ", "moderate ", "marked ", "severe ", "diffuse ", "generalised ", "focal ", "asymmetric ",
                "disproportionate ", "bilateral ", "progressive ", "striking ", "prominent "],
    "vascular": ["small ", "large ", "giant ", "partially thrombosed ", "lobulated ", "wide-necked ", "incidental ",
                 "multiple ", "unruptured ", "complex ", "extensive "],
    "small_vessel_disease": ["mild ", "moderate ", "extensive ", "confluent ", "patchy ", "scattered ", "chronic ",
                             "advanced ", "severe ", "early "],
    "white_matter_inflammation": ["multiple ", "ovoid ", "periventricular ", "juxtacortical ", "enhancing ", "active ",
                                  "new ", "confluent ", "scattered ", "T2 hyperintense ", "tumefactive ", "numerous "],
    "encephalomalacia": ["old ", "chronic ", "cystic ", "focal ", "extensive ", "bilateral ", "post-traumatic ",
                         "large ", "small ", "established "],
}
# Descriptions that suit a category's findings without naming it: by the rules they assert an
# abnormality only, unless a name follows.
DESCRIPTIONS = {
    "acute_stroke": ["an area of restricted diffusion with low ADC{loc}", "DWI hyperintensity{loc}",
                     "restricted diffusion{loc}", "cortical and subcortical signal change{loc}",
                     "hyperintensity on diffusion-weighted images{loc}", "a focus of diffusion restriction{loc}",
                     "swollen cortex with high signal{loc}"],
    "mass": ["an enhancing lesion{loc}", "a heterogeneous lesion with surrounding oedema{loc}",
             "a ring-enhancing lesion{loc}", "an expansile lesion{loc}", "a lesion{loc}",
             "an extra-axial lesion{loc}", "an intra-axial lesion{loc}", "a solid lesion{loc}",
             "a cystic and solid lesion{loc}", "lesions{loc}", "multiple enhancing lesions{loc}"],
    "atrophy": ["thinning of the corpus callosum", "enlargement of the sulci", "widening of the sylvian fissures"],
    "vascular": ["a flow void{loc}", "a filling defect in the {side} transverse sinus", "a serpiginous tangle of vessels{loc}",
                 "absent flow in the {side} internal carotid artery", "an outpouching from the {side} MCA bifurcation",
                 "loss of the normal flow void in the {s}", "dilated cortical veins{loc}", "a lesion with a haemosiderin rim{loc}",
                 "abnormal vessels{loc}", "high signal in the superior sagittal sinus", "an empty delta sign"],
    "small_vessel_disease": ["periventricular and deep white matter hyperintensities",
                             "confluent T2 hyperintensity in the periventricular white matter",
                             "punctate white matter foci", "patchy white matter signal change",
                             "foci of FLAIR hyperintensity in the deep white matter", "white matter hyperintensities"],
    "white_matter_inflammation": ["ovoid periventricular lesions", "juxtacortical lesions",
                                  "T2 hyperintense lesions in the corpus callosum", "lesions perpendicular to the ventricles",
                                  "multiple white matter lesions", "periventricular and infratentorial lesions",
                                  "enhancing white matter lesions"],
    "encephalomalacia": ["an area of CSF signal{loc}", "a cystic cavity{loc}", "a cavity{loc}",
                         "low T1 signal{loc} with ex vacuo dilatation of the {side} lateral ventricle",
                         "a cystic area{loc}"],
}
# Descriptions that call the lesion a mass: they state `mass` whatever diagnosis follows.
MASS_DESCRIPTIONS = ["a heterogeneous mass{loc}", "an enhancing mass{loc}", "a mass{loc}", "a lobulated mass{loc}",
                     "a large mass{loc}", "a mass lesion{loc}", "multiple masses{loc}", "an expansile mass{loc}",
                     "a solid and cystic mass{loc}", "a space-occupying lesion{loc}", "a tumour{loc}",
                     "a tumor{loc}", "a ring-enhancing mass{loc}", "masses{loc}"]
MEASURES = [", measuring {e}.{b} x {e}.{d} cm", " measuring {a} x {c} mm", " ({a} x {c} mm)", " of {a} mm",
            ", {e}.{b} cm in diameter", " measuring up to {e}.{b} cm", " measuring approx. {a} mm",
            " ({e}.{b} x {e}.{d} x {e}.{b} cm)", ", measuring {a}\u00d7{c} mm", " {a} mm in size",
            " measuring approximately {e}.{b} x {e}.{d} cm", ", about {a} mm,", " {e}.{b} cm", " of {e}.{b} cm"]
# Clauses that add what an abnormality does; they assert only abnormality.
CONSEQUENCES = [" with surrounding vasogenic oedema", " with perilesional oedema", " causing mass effect on the {s}",
                " with midline shift of {a} mm", " compressing the {s}", " extending into the {s}",
                " crossing the midline", " with obstructive hydrocephalus", " with effacement of the adjacent sulci",
                " and effacement of the {s}", " with a dural tail", " with surrounding oedema and mass effect",
                " extending to the {s}", " displacing the {s}", " with restricted diffusion centrally",
                " with a fluid-fluid level", " without significant mass effect", " with no surrounding oedema",
                " with areas of blooming on SWI", " with peripheral enhancement", " on T2 and FLAIR images",
                " on FLAIR", " on the {q} images", " (arrow)", " (arrows)", " (white arrow)", " (arrowheads)",
                " seen on the post-contrast images", " best seen on the coronal images", " since the previous study",
                ", increased in size since the prior examination", ", unchanged since the last scan",
                " (black arrow)", " (asterisk)", ", e.g. on the {q} images,", " on both sides"]

NEUTRAL_CONSEQUENCES = [c for c in CONSEQUENCES if "{s}" not in c and not any(
    w in c for w in ("oedema", "mass effect", "midline", "hydrocephalus", "effacement", "dural tail", "restricted",
                     "blooming", "enhancement"))]

# Per category: names (diagnoses, with synonyms and abbreviations), and descriptions that assert
# the category without a frame. {loc} is a location, {s} a structure, {side} a side.
NAMES = {
    "acute_stroke": ["acute infarct", "acute infarction", "acute ischaemic stroke", "acute ischemic infarct",
                     "infarct", "infarction", "ischaemic stroke", "stroke", "acute lacunar infarct",
                     "subacute infarct", "recent infarct", "acute embolic infarcts", "embolic infarcts",
                     "watershed infarction", "acute haemorrhagic infarct", "intraparenchymal haemorrhage",
                     "acute intracerebral haemorrhage", "ICH", "haemorrhagic transformation of an infarct",
                     "acute cerebellar infarct", "thalamic infarction", "pontine infarct", "acute CVA",
                     "lacunar stroke", "evolving infarct", "acute ischaemia", "cytotoxic oedema of infarction",
                     "acute territorial infarct", "hyperacute infarct", "parenchymal haematoma",
                     "cortical infarcts", "border zone infarcts", "thromboembolic event"],
    "mass": ["mass", "tumour", "tumor", "mass lesion", "neoplasm", "space-occupying lesion", "SOL",
             "meningioma", "glioma", "glioblastoma", "GBM", "high-grade glioma", "low-grade glioma", "astrocytoma",
             "pilocytic astrocytoma", "oligodendroglioma", "ependymoma", "medulloblastoma", "metastasis",
             "metastases", "metastatic deposit", "brain metastases", "lymphoma", "primary CNS lymphoma",
             "schwannoma", "vestibular schwannoma", "acoustic neuroma", "pituitary adenoma", "macroadenoma",
             "microadenoma", "pituitary macroadenoma", "craniopharyngioma", "haemangioblastoma", "chordoma",
             "germinoma", "ganglioglioma", "DNET", "choroid plexus papilloma", "neoplastic lesion",
             "tumour mass", "intra-axial tumour", "extra-axial mass", "dural-based mass", "brain tumour",
             "malignant tumour", "diffuse intrinsic pontine glioma", "optic pathway glioma", "pineal tumour",
             "residual tumour", "recurrent tumour", "tumour recurrence", "cerebral metastasis"],
    "atrophy": ["atrophy", "cerebral atrophy", "cerebellar atrophy", "generalised atrophy", "volume loss",
                "hippocampal atrophy", "frontotemporal atrophy", "global volume loss", "brain atrophy",
                "midbrain atrophy", "cortical atrophy", "parenchymal volume loss", "diffuse cerebral atrophy",
                "mesial temporal atrophy", "brainstem atrophy", "atrophy of the {s}", "volume loss of the {s}",
                "lobar atrophy", "pontocerebellar atrophy", "vermian atrophy", "callosal atrophy"],
    "vascular": ["aneurysm", "saccular aneurysm", "fusiform aneurysm", "giant aneurysm", "AVM",
                 "arteriovenous malformation", "dural arteriovenous fistula", "dural AV fistula", "DAVF",
                 "carotid-cavernous fistula", "cavernoma", "cavernous malformation", "cavernous angioma",
                 "developmental venous anomaly", "DVA", "venous angioma", "venous sinus thrombosis",
                 "cerebral venous sinus thrombosis", "CVST", "dural sinus thrombosis", "cavernous sinus thrombosis",
                 "cortical vein thrombosis", "superior sagittal sinus thrombosis", "arterial dissection",
                 "vertebral artery dissection", "carotid dissection", "vessel occlusion", "MCA occlusion",
                 "basilar artery occlusion", "moyamoya disease", "moyamoya pattern", "vascular malformation",
                 "basilar tip aneurysm", "ACom aneurysm", "PCom aneurysm", "MCA aneurysm", "venous thrombosis",
                 "thrombosed aneurysm", "occlusion of the {side} internal carotid artery",
                 "stenosis of the {side} middle cerebral artery", "vein of Galen malformation"],
    "small_vessel_disease": ["small vessel disease", "chronic small vessel ischaemic change", "microangiopathy",
                             "microangiopathic change", "leukoaraiosis", "small vessel ischaemic disease",
                             "microvascular ischaemic change", "chronic microvascular ischaemic disease",
                             "white matter disease of vascular origin", "old lacunar infarcts", "lacunes",
                             "chronic lacunar infarcts", "Fazekas grade {f} white matter change", "SVD",
                             "cerebral small vessel disease", "hypertensive microangiopathy",
                             "vascular leukoencephalopathy", "ischaemic white matter change",
                             "microbleeds from hypertensive small vessel disease",
                             "amyloid angiopathy with lobar microbleeds", "small vessel ischaemia"],
    "white_matter_inflammation": ["demyelination", "multiple sclerosis", "MS plaques", "demyelinating plaques",
                                  "demyelinating lesions", "active demyelination", "ADEM",
                                  "acute disseminated encephalomyelitis", "neuromyelitis optica",
                                  "NMOSD lesions", "Dawson's fingers", "active plaque", "enhancing plaques",
                                  "tumefactive demyelination", "inflammatory demyelination",
                                  "demyelinating disease", "relapsing-remitting MS",
                                  "white matter inflammation", "MS lesions", "an active demyelinating plaque"],
    "encephalomalacia": ["encephalomalacia", "gliosis", "encephalomalacia and gliosis", "porencephaly",
                         "porencephalic cyst", "old infarct", "chronic infarct", "remote infarct",
                         "established infarct", "cystic encephalomalacia", "post-traumatic encephalomalacia",
                         "old haemorrhagic contusion", "tissue loss and gliosis", "chronic infarction with gliosis",
                         "periventricular leukomalacia", "ulegyria", "old territorial infarct",
                         "prior infarct with tissue loss", "post-surgical gliosis", "encephalomalacic change",
                         "sequelae of an old infarct"],
}
# Named abnormalities outside the seven categories: they make a study abnormal and nothing else.
OTHER_NAMES = [
    "hydrocephalus", "obstructive hydrocephalus", "communicating hydrocephalus", "ventriculomegaly",
    "leptomeningeal enhancement", "pachymeningeal enhancement", "meningeal enhancement", "dural thickening",
    "subdural collection", "subdural haematoma", "chronic subdural haematoma", "subdural hygroma",
    "subarachnoid haemorrhage", "extradural haematoma", "abscess", "cerebral abscess", "multiple abscesses",
    "cerebritis", "encephalitis", "herpes simplex encephalitis", "limbic encephalitis", "ventriculitis",
    "subdural empyema", "PRES", "posterior reversible encephalopathy syndrome", "hepatic encephalopathy",
    "Wernicke encephalopathy", "toxic encephalopathy", "arachnoid cyst", "pineal cyst", "colloid cyst",
    "Rathke cleft cyst", "epidermoid cyst", "dermoid cyst", "empty sella", "Chiari I malformation",
    "tonsillar herniation", "transtentorial herniation", "subfalcine herniation", "midline shift",
    "cerebral oedema", "diffuse cerebral swelling", "calcification", "basal ganglia calcification",
    "grey matter heterotopia", "polymicrogyria", "schizencephaly", "lissencephaly", "pachygyria",
    "agenesis of the corpus callosum", "Dandy-Walker malformation", "molar tooth sign", "cortical dysplasia",
    "cortical tubers", "hamartoma", "mesial temporal sclerosis", "hippocampal sclerosis", "iron deposition",
    "superficial siderosis", "tuberculoma", "tuberculomas", "neurocysticercosis", "toxoplasmosis",
    "cryptococcal infection", "progressive multifocal leukoencephalopathy", "diffuse axonal injury",
    "cortical laminar necrosis", "hypoxic brain injury", "pituitary hyperplasia",
    "intracranial hypotension", "platybasia", "basilar invagination", "syrinx",
    "vasogenic oedema", "cortical ribboning", "septo-optic dysplasia", "holoprosencephaly", "cerebellar dysplasia",
    "leukodystrophy", "metabolic leukoencephalopathy", "radiation necrosis", "post-radiation change",
    "enlarged perivascular spaces", "a Blake pouch cyst", "pneumocephalus", "contusions",
    "bat-wing morphology of the fourth ventricle", "an absent pituitary gland", "an ectopic posterior pituitary",
    "vermian hypoplasia", "an enlarged pituitary", "Arnold-Chiari malformation", "a syrinx at the craniocervical junction",
    "meningitis", "ventricular enlargement", "transependymal oedema", "a shunt catheter", "DBS electrodes",
    "postoperative changes", "a resection cavity", "a craniotomy defect",
    "kernicterus", "osmotic myelinolysis", "a giant arachnoid granulation",
]
# Abnormalities described, not named: they assert abnormality only.
DESCRIBED = [
    "{z}lesion{loc}", "{z}lesions{loc}", "{z}area of abnormal signal{loc}", "abnormal signal intensity{loc}",
    "{z}signal abnormality{loc}", "increased T2 signal{loc}", "high signal on T2 and FLAIR{loc}",
    "{z}hyperintensity{loc}", "hyperintensities{loc}", "{z}focus of enhancement{loc}", "abnormal enhancement{loc}",
    "{z}nodule{loc}", "{z}nodular enhancement{loc}", "{z}cystic lesion{loc}", "{z}collection{loc}",
    "{z}foci of signal change{loc}", "restricted diffusion{loc}", "an area of restricted diffusion{loc}",
    "abnormal bright signal{loc}", "{z}hypointensity{loc}", "blooming artefact{loc}", "{z}region of oedema{loc}",
    "swelling of the {s}", "thickening of the {s}", "enlargement of the {s}", "expansion of the {s}",
    "enhancement of the {s}", "abnormal signal in the {s}", "T2 prolongation{loc}", "{z}low signal change{loc}",
    "gyriform enhancement{loc}", "{z}enhancing focus{loc}", "{z}abnormality{loc}", "{z}T2 hyperintense focus{loc}",
]
ASSERT_LINKS = [", consistent with {d}", ", in keeping with {d}", " consistent with {d}", ", typical of {d}",
                ", compatible with {d}", " indicating {d}", " due to {d}", ", representing {d}", ", diagnostic of {d}",
                " in keeping with {d}", ", characteristic of {d}", " caused by {d}", ", confirming {d}",
                ". This was felt to represent {d}", ". Appearances are consistent with {d}",
                ". The findings are in keeping with {d}", ", which represents {d}", " from {d}"]
HEDGE_LINKS = [", suggestive of {d}", ", concerning for {d}", ", suspicious for {d}", " suggestive of {d}",
               ", likely representing {d}", ", possibly {d}", ", probably {d}", ", in favour of {d}",
               ", worrisome for {d}", ", which may represent {d}", ", raising the possibility of {d}",
               ". The differential diagnosis includes {d}", ". {D} cannot be excluded", ", likely {d}",
               ", strongly suggestive of {d}", ", most likely {d}", ". This could reflect {d}",
               ", query {d}", " (?{d})", ", equivocal for {d}", ". Possible {d}", ", differential {d} versus {o}"]
HEDGE_FRAMES = ["possible {d}", "probable {d}", "suspected {d}", "likely {d}", "questionable {d}",
                "appearances suspicious for {d}", "findings that may represent {d}", "equivocal {d}",
                "a possible {d}", "query {d}", "features suggestive of {d}", "suspicion of {d}"]
NEGATION_FRAMES = ["No {d}.", "There is no {d}.", "No evidence of {d}.", "No {d} is seen.", "Without {d}.",
                   "{D} is not seen.", "No signs of {d}.", "No definite {d}.",
                   "No {d} was found.", "Negative for {d}.", "{D} has resolved.", "No MRI evidence of {d}.",
                   "No imaging evidence of {d}.", "{D} is absent.",
                   "Complete resolution of the {d}.", "The previously seen {d} is no longer visible."]
NEGATABLE_OTHERS = ["hydrocephalus", "midline shift", "mass effect", "herniation", "extra-axial collection",
                    "abnormal enhancement", "restricted diffusion", "haemorrhage", "signal abnormality",
                    "abnormal signal", "extraaxial fluid collections", "syringomyelia", "oedema",
                    "focal lesion", "abnormality", "structural abnormality", "leptomeningeal enhancement",
                    "susceptibility artefact", "acute intracranial abnormality", "intracranial abnormality",
                    "abnormal intracranial enhancement", "blood products", "rupture", "tonsillar ectopia"]

NORMAL_PREDICATES = ["is normal", "is unremarkable", "is within normal limits", "is normal in signal and morphology",
                     "is normal in appearance", "shows normal signal", "appears normal", "is preserved",
                     "is intact", "is of normal size", "is symmetrical", "is normal for age", "returns normal signal",
                     "demonstrates no abnormality", "is clearly depicted", "is well visualised"]
NORMAL_WHOLE = ["Normal MRI brain", "Normal brain MRI", "Normal study of the brain", "Unremarkable MRI of the brain",
                "No intracranial abnormality", "The brain is normal in signal intensity and morphology for age",
                "Normal appearances of the brain", "The brain parenchyma is normal in signal intensity",
                "No abnormality is detected", "Normal intracranial appearances", "MRI of the brain was unremarkable",
                "The MRI was normal", "No acute intracranial process", "Normal structures of the brain",
                "No focal parenchymal abnormality", "MRI brain was within normal limits", "Brain MRI was negative"]
# Captions that describe only the image or a measurement: they assert nothing about the brain.
TECHNICAL = ["{I} at the level of the {s}", "{I} through the {s}", "{I} of the brain", "{I} of the head",
             "{I} (patient {a})", "{I} obtained {a} months after surgery", "{I} before treatment",
             "Region of interest placed in the {s} on the {q} image", "Segmentation of the {s} on {I}",
             "Measurement of the {s} on the {q} image", "Voxel placement in the {s} for spectroscopy",
             "Manual delineation of the {s} on coronal {q} images", "Tractography of the {s} overlaid on {I}",
             "{I} used for neuronavigation", "Reconstruction of the {s} from the {q} sequence",
             "{I} {a} weeks after the onset of symptoms", "{I} at follow-up", "{I} at presentation",
             "Follow-up {I} {a} years later", "Representative {I} from a healthy control", "{I} at admission",
             "Segmentation of {I} into the {s}, the {s} and the {s}", "Masks defining the {s} and the {s} on {I}",
             "Trajectory of the electrode in relation to the {s} on reconstructed {q} images",
             "The {s} (arrow) and the {s} (arrowhead) are clearly delineated on {I}",
             "Image resolution {e}.{b} x {e}.{b} mm on {I}", "Schematic of the {s} drawn on {I}",
             "{I} acquired at 7T showing the {s} and the {s}", "Coronal reconstruction through the {s} used for planning",
             "The angle between the {s} and the midline was measured on {I}", "{I}, images courtesy of Dr. Jones",
             "Colour-coded tracts of the {s} superimposed on {I}", "Placement of the region of interest in the {s}"]
CASE_INTROS = ["Case {a}.", "Patient {a}.", "Figure {a}.", "Fig. {a}.", "(A)", "(B)", "A {age}-year-old {sex}.",
               "A {age}-year-old {sex} with {symptom}.", "{Symptom} in a {age}-year-old {sex}.",
               "Case {a}, a {age}-year-old {sex} with {symptom}.", "Images courtesy of Dr. Smith.", ""]
SYMPTOMS = ["headache", "seizures", "visual loss", "ataxia", "hemiparesis", "confusion", "fever and confusion",
            "dysphagia", "diplopia", "memory loss", "gait disturbance", "vertigo", "aphasia", "a first seizure",
            "known HIV infection", "a history of breast cancer", "hearing loss", "facial numbness", "tinnitus",
            "a history of multiple sclerosis", "previous stroke", "a history of glioma", "known metastatic melanoma"]
DATES = ["{m}/{d}/9{y}", "{m}/{d}/0{y}", "on {m}/{d}/9{y}", "in 200{y}", "{m}/{d}/201{y}", "dated {m}/{d}/9{y}"]
CASE_MRI_NAMES = ["MRI brain", "MRI Brain", "Brain MRI", "MRI of the brain", "An MRI brain scan", "MRI head",
                  "A repeat MRI brain", "MRI brain with and without gadolinium", "MRI scan of the brain",
                  "An MRI of the brain", "The MRI", "Follow-up MRI brain", "MRI brain and MRA"]
CASE_VERBS = ["revealed", "showed", "demonstrated", "was notable for", "disclosed", "was remarkable for",
              "was significant for", "identified"]


class Text:
    """A text built piece by piece, with the span and labels of every finding in it."""

    def __init__(self):
        self.text, self.statements = "", []

    def add(self, piece, labels=None):
        if labels and piece.startswith(". "):  # a link that starts a sentence: its stop ends the one before
            self.text += ". "
            piece = piece[2:]
        if labels:
            self.statements.append({"start": len(self.text), "end": len(self.text) + len(piece), "labels": labels})
        self.text += piece


def capitalise(s):
    return s[0].upper() + s[1:] if s else s


class RealisticWriter:
    """Draws realistic findings and texts from one random generator. `forbidden`: sentences it
    must never write (lower case; the generator's held-out normal sentences)."""

    def __init__(self, rng, forbidden=frozenset()):
        self.rng = rng
        self.forbidden = forbidden

    def choice(self, options):
        return self.rng.choice(options)

    def fill(self, template):
        """Fills placeholders: {loc} {s} {side} {z} {q} {a}-{e} {f} {I}."""
        r = self.rng
        while "{loc}" in template:
            template = template.replace("{loc}", self.location() if r.random() < 0.8 else "", 1)
        while "{s}" in template:
            template = template.replace("{s}", self.choice(STRUCTURES), 1)
        while "{x}" in template:
            template = template.replace("{x}", self.choice(EXTRACRANIAL_STRUCTURES), 1)
        while "{I}" in template:
            template = template.replace("{I}", self.image(), 1)
        for key, value in (("{z}", lambda: self.choice(SIZES) + self.choice(SIGNALS)), ("{q}", lambda: self.choice(SEQUENCES)),
                           ("{side}", lambda: self.choice(SIDES)), ("{f}", lambda: str(r.randint(1, 3))),
                           ("{a}", lambda: str(r.randint(2, 45))), ("{b}", lambda: str(r.randint(0, 9))),
                           ("{c}", lambda: str(r.randint(2, 40))), ("{d}", lambda: str(r.randint(0, 9))),
                           ("{e}", lambda: str(r.randint(1, 5)))):
            while key in template:
                template = template.replace(key, value(), 1)
        return template

    def location(self):
        return " " + self.choice(PREPOSITIONS) + " " + self.choice(STRUCTURES)

    def image(self):
        """How a caption names its image: "Axial FLAIR MRI", "Brain MRI (T2WI)", ..."""
        r = self.rng
        plane, sequence, modality = self.choice(PLANES), self.choice(SEQUENCES), self.choice(MODALITIES)
        forms = [f"{plane} {sequence} {modality}", f"{sequence} {modality}", f"{modality}", f"{plane} {sequence} image",
                 f"{modality} ({sequence})", f"{modality}, {sequence}, {plane}", f"{plane} {modality}",
                 f"{sequence} {plane} image", f"{modality}, {plane} view"]
        name = self.choice(forms)
        return name if r.random() < 0.5 else capitalise(name)

    def named(self, category):
        name = self.fill(self.choice(NAMES[category] if category else OTHER_NAMES))
        return name

    def article(self, phrase):
        if self.rng.random() < 0.35 or phrase.endswith("s") or phrase[:2] in ("a ", "an"):
            return phrase
        return ("an " if phrase[0].lower() in "aeiou" else "a ") + phrase

    def describe(self, category):
        """(text, labels) of a description of an abnormality, of a category's kind or generic:
        it states `abnormal`, and the category only where it says "mass" (the rules: a lesion
        called a mass is a mass, whatever its diagnosis)."""
        if category == "mass" and self.rng.random() < 0.3:
            return self.fill(self.choice(MASS_DESCRIPTIONS)), {"abnormal": POSITIVE, "mass": POSITIVE}
        if category and self.rng.random() < 0.6:
            return self.fill(self.choice(DESCRIPTIONS[category])), {"abnormal": POSITIVE}
        return self.article(self.fill(self.choice(DESCRIBED))), {"abnormal": POSITIVE}

    def details(self, neutral=False):
        """A measurement and clauses after a finding; `neutral`: only those that assert nothing
        more (no mass effect, oedema or hydrocephalus)."""
        r = self.rng
        measure = self.fill(self.choice(MEASURES)) if r.random() < 0.4 else ""
        clauses = NEUTRAL_CONSEQUENCES if neutral else CONSEQUENCES
        return measure + "".join(self.fill(self.choice(clauses)) for _ in range(r.choice([0, 1, 1, 2, 2, 3])))

    def finding(self, category, cls):
        """A finding as [(text, {label: class})] pieces (no final full stop): a description
        states an abnormality, a name after it states the category, so that a link that starts a
        sentence of its own ("... . Appearances are consistent with X") supervises only that
        sentence. category None: an abnormality outside the seven categories. cls POSITIVE or
        UNCERTAIN, or None for a description that names nothing (abnormal only)."""
        r = self.rng
        if category == "extracranial":
            return [(self.fill(self.choice(EXTRACRANIAL_FINDINGS)) + self.details(neutral=True), {})]
        name = self.named(category)
        if cls is None:
            description, described = self.describe(category)
            return [(description + self.details(), described)]
        named = {"abnormal": cls}
        if category:
            named[category] = cls
        if cls == POSITIVE:
            if r.random() < 0.55:  # named, with descriptors
                pool = DESCRIPTORS.get(category, SIZES + SIGNALS)
                prefix = self.choice(pool) if r.random() < 0.6 else ""
                location = self.fill("{loc}") if "{" not in name and r.random() < 0.6 else ""
                return [(self.article(prefix + name) + location + self.details(), named)]
            link = self.choice(ASSERT_LINKS).format(d=name, D=capitalise(name))
            description, described = self.describe(category)
            return [(description + self.details(), described), (link, named)]
        if r.random() < 0.5:  # described, then a hedged diagnosis: the abnormality is asserted
            other = self.named(self.choice([c for c in CATEGORIES if c != category] + [None]))
            description, described = self.describe(category)  # "a mass" asserted, its kind hedged
            link = self.choice(HEDGE_LINKS).format(d=name, D=capitalise(name), o=other)
            if " versus " in link:  # the other diagnosis is hedged too
                other_category = next((c for c in CATEGORIES if other in NAMES[c]), None)
                if other_category:
                    named[other_category] = UNCERTAIN
            return [(description + self.details(), described), (link, named)]
        return [(self.choice(HEDGE_FRAMES).format(d=name) + self.fill(self.choice(["", "{loc}"])), named)]

    def add_finding(self, text, category, cls, first_capitalised=False):
        for i, (piece, labels) in enumerate(self.finding(category, cls)):
            text.add(capitalise(piece) if first_capitalised and i == 0 else piece, labels)

    def negation(self):
        """A negated finding sentence: it states nothing."""
        terms = [self.choice(NEGATABLE_OTHERS) if self.rng.random() < 0.5 else self.named(
            self.choice(CATEGORIES + [None])) for _ in range(self.rng.choice([1, 1, 2, 3]))]
        joined = terms[0] if len(terms) == 1 else ", ".join(terms[:-1]) + self.choice([" or ", ", or ", " and "]) + terms[-1]
        return self.choice(NEGATION_FRAMES).format(d=joined, D=capitalise(joined))

    def normal_statement(self):
        r = self.rng
        while True:
            if r.random() < 0.3:
                sentence = self.choice(NORMAL_WHOLE) + "."
            else:
                structure = self.fill(self.choice(STRUCTURES if r.random() < 0.85 else EXTRACRANIAL_STRUCTURES))
                sentence = capitalise(f"the {structure} {self.choice(NORMAL_PREDICATES)}.")
            if sentence.lower() not in self.forbidden:
                return sentence

    def draw_findings(self):
        """A list of (category or None, class) for one text: most texts find something."""
        r = self.rng
        if r.random() < 0.22:
            return []
        count = r.choice([1, 1, 1, 2, 2, 3])
        out = []
        for _ in range(count):
            category = r.choice(CATEGORIES + CATEGORIES + [None, None, None, None, None])
            out.append((category, r.choices([POSITIVE, UNCERTAIN, None], [0.7, 0.15, 0.15])[0]))
        if r.random() < 0.1:
            out.insert(r.randrange(len(out) + 1), ("extracranial", None))
        return out

    def caption(self):
        """A figure caption: an optional introduction, the image, what it shows."""
        r = self.rng
        t = Text()
        intro = self.fill(self.choice(CASE_INTROS)).format(
            age=r.randint(1, 85), sex=self.choice(["man", "woman", "boy", "girl", "patient", "male", "female"]),
            symptom=self.choice(SYMPTOMS), Symptom=capitalise(self.choice(SYMPTOMS))) if r.random() < 0.3 else ""
        if intro:
            t.add(intro + " ")
        findings = self.draw_findings()
        if not findings:
            if r.random() < 0.5:
                t.add(capitalise(self.fill(self.choice(TECHNICAL))) + self.choice([".", ""]))
            else:
                normal = self.normal_statement()
                t.add(f"{self.image()} {self.choice(SHOW_VERBS)} " + normal[0].lower() + normal[1:])
            if r.random() < 0.3:
                t.add(" " + self.negation())
            return t
        finding_first = r.random() < 0.2  # "Enhancing lesion in the left lateral ventricle on MRI."
        if not finding_first:
            t.add(f"{self.image()} {self.choice(SHOW_VERBS)} ")
        for i, (category, cls) in enumerate(findings):
            if i:
                t.add(self.choice([" and ", ", ", ". Also, ", ". There is also ", " with ", "; "]))
            self.add_finding(t, category, cls, first_capitalised=finding_first and i == 0)
        if finding_first:
            t.add(" on " + self.choice(["MRI", "MR imaging", "the FLAIR image", "T2-weighted MRI", "brain MRI",
                                        "post-contrast T1 images", "the coronal T1 image"]))
        t.add(self.choice([".", ".", "", " (arrow).", " (arrows)", "."]))
        if r.random() < 0.25:
            t.add(" " + self.negation())
        return t

    def case_note(self):
        """Sentences of a case history that report a head MRI."""
        r = self.rng
        t = Text()
        date = self.choice(DATES).format(m=r.randint(1, 12), d=r.randint(1, 28), y=r.randint(0, 9))
        name = self.choice(CASE_MRI_NAMES)
        name = f"{name}, {date}," if r.random() < 0.5 else name
        findings = self.draw_findings()
        if not findings:
            t.add(self.choice([f"{name} was unremarkable.", f"{name} was normal.", f"{name} was negative.",
                               f"{name} was also negative.", f"{name} was reportedly normal.", f"{name} {self.choice(CASE_VERBS)} no abnormality.",
                               f"{name} {self.choice(CASE_VERBS)} " + self.negation()[0].lower() + self.negation()[1:]]))
            return t
        t.add(f"{name} {self.choice(CASE_VERBS)} ")
        for i, (category, cls) in enumerate(findings):
            if i:
                t.add(self.choice([" and ", ", ", ". There was also ", ". In addition, there was ", ". It also showed "]))
            self.add_finding(t, category, cls)
        t.add(".")
        return t



# Sentences of a case history around an MRI's result: they are not the MRI's findings, whatever
# they name (model/LABEL_RULES.md, "Which examination").
HISTORY_SENTENCES = ["{A} presented with {symptom}.", "She had a history of {d}.", "He was known to have {d}.",
                     "CBC, ESR and electrolytes were normal.", "EEG showed diffuse slowing without epileptiform activity.",
                     "HCT revealed {d}.", "CT head showed {d}.", "She was treated with IV heparin.",
                     "Lumbar puncture was unremarkable.", "He underwent stereotactic biopsy.",
                     "Biopsy revealed {d}.", "The patient was started on dexamethasone.",
                     "Carotid duplex showed 0-15% bilateral ICA stenosis.", "Neurologic exam revealed {symptom}.",
                     "He was referred for evaluation of {symptom}.", "Her symptoms resolved over 2 weeks.",
                     "The family history was notable for {d}.", "An MRI was ordered to rule out {d}."]


def history_sentence(writer):
    """One sentence of a case history (states nothing of the MRI)."""
    r = writer.rng
    return writer.choice(HISTORY_SENTENCES).format(
        A=writer.choice(["The patient", "This 45 y/o RHF", "A 62-year-old man", "She", "He"]),
        symptom=writer.choice(SYMPTOMS), d=writer.named(r.choice(CATEGORIES + [None])))
