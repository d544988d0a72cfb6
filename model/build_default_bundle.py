#!/usr/bin/python3
"""Rebuilds the embedded default bundle (model/default/), its pre-trained encoder (model/encoder/),
the model card, the tokenizer test vectors and the sample reports, from fixed seeds, in one
command run from the repository root:

    /usr/bin/python3 model/build_default_bundle.py

1. Vocabulary: WordPiece pieces of the real text (radlabel_model/corpus.py: model/data/ less the
   real-text evaluation set) and of the generated training reports.
2. Pre-training: masked-language modelling of the encoder on the real text
   (radlabel_model/pretraining.py), saved to model/encoder/.
3. Fine-tuning: the label model, from that encoder, on generated reports (training phrasings,
   seed 1) and the real text labelled for training (model/data/real_train.jsonl.gz, made by
   model/real_training_set.py: nothing shared with the evaluation set), each real item
   --real-repeats times, and the text written for training (model/data/written_train.jsonl.gz,
   model/written_training_set.py), each item --written-repeats times; per-label thresholds on
   2,000 validation reports (seed 2), and for the labels with at least
   REAL_THRESHOLD_MIN_POSITIVES in the real-text dev half on both.
4. Measurement: the held-out-template split (tests/data/held_out_template_reports.jsonl.gz), the
   hand-written challenge set, both halves of the real-text set (tests/data/real_text/; the test
   half only reported) and the robustness suite; beside every figure the bag-of-words baseline
   (radlabel_model/baseline.py) trained on the same reports. Written to MODEL_CARD.md.

What pre-training buys is measured by a second build, the same in everything but pre-training,
and a card that compares both (both measured by the same code in one run):

    /usr/bin/python3 model/build_default_bundle.py --no-pretraining --out /tmp/no-pretraining --no-artifacts
    /usr/bin/python3 model/build_default_bundle.py --evaluate-only --compare /tmp/no-pretraining

Options: --encoder DIR starts from an encoder saved before (skips 1 and 2: its vocab.txt is the
bundle's); --evaluate-only re-measures the bundle in --out and rewrites its card (the recipe
comes from its build.json); --rethreshold first sets its real-text thresholds (the last part of
step 3: labels with enough positives in the real-text dev half take the threshold that suits
both the validation split and that half).
Scripts and saves with Debian's torch 1.13 so that LibTorch 1.13 loads the model.
"""
import argparse
import gzip
import json
import os
import random
import time

import torch

from radlabel_model import robustness
from radlabel_model.baseline import BagOfWordsLabeller
from radlabel_model.bundle import OfflineLabeller
from radlabel_model.corpus import documents
from radlabel_model.evaluate import evaluate, positive_scores
from radlabel_model.generator import generate, write_reports_csv
from radlabel_model.labels import CLASSES, LABELS, load_labelled_jsonl
from radlabel_model.network import EncoderConfig, SentenceClassifier, abbreviation_ids
from radlabel_model.pretraining import load_encoder, pretrain, read_encoder_config, save_encoder
from radlabel_model.training import (choose_thresholds_across, examples_from_reports, save_bundle, train,
                                     write_thresholds)
from radlabel_model.vocab import build_vocab
from radlabel_model.wordpiece import WordPieceTokenizer, read_vocab

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "tests", "data")
CHALLENGE = os.path.join(DATA, "challenge_reports.jsonl")
HELD_OUT = os.path.join(DATA, "held_out_template_reports.jsonl.gz")
REAL_TRAIN = os.path.join(ROOT, "model", "data", "real_train.jsonl.gz")
WRITTEN_TRAIN = os.path.join(ROOT, "model", "data", "written_train.jsonl.gz")
REAL_TEXT = {"real_dev": os.path.join(DATA, "real_text", "dev.jsonl"),
             "real_test": os.path.join(DATA, "real_text", "test.jsonl")}
CONFIG = {
    "name": "radlabel-head-mri-default",
    "version": "0.8.0",
    "classes": CLASSES,
    "positive_class": "positive",
    "max_tokens": 256,
    "chunk_overlap": 64,
    "do_lower_case": True,
    "max_input_chars_per_word": 100,
    "line_breaks_end_sentences": True,
}
ARCH = dict(hidden_size=128, num_hidden_layers=4, num_attention_heads=4, intermediate_size=512, pre_layer_norm=True)
POOL_HIDDEN = 128
MIN_POSITIVES = 5  # a label counts in the real-text macro-F1 with at least this many positives
# A label with at least this many positives in the real-text dev half takes its threshold from
# the validation split and that half together (real_text_thresholds); fewer decide nothing.
REAL_THRESHOLD_MIN_POSITIVES = 30
BUILD_RECIPE = "build.json"  # beside the bundle: how it was built, for its card

TOKENIZER_EDGE_CASES = [
    "", "   ", "Périventricular WMH, ischaemia — café.", "NAÏVE Ångström façade",
    "Ｆｕｌｌｗｉｄｔｈ ＭＲＩ", "北京 MRI 脑", "tab\tnew\nline\rcarriage", "nul\x00byte and \x07bell",
    "zero\u200bwidth soft\u00adhyphen", "emoji 🧠 brain", "x" * 101, "y" * 100,
    "a-b_c/d\\e(f)[g]{h}<i>j@k#l$m%n^o&p*q+r=s~t`u|v;w:x'y\"z", "¿Qué? ¡Sí! «quoted» „low“",
    "line\u2028separator para\u2029graph", "non\u00a0breaking ideographic\u3000space",
    "T2/FLAIR 3.5mm 12/03/2019 Fazekas-2", "unknownwordpieceszzqx", "\ufffdreplacement",
    "• bullet – dash × 4.0 × 3.5 cm ±2 mm ≥ 3",
    "FINDINGS:\n- Acute infarct\n- No mass \r\n2. Atrophy\n\n\u2022 Lacunes\n\u2013 gliosis",
    "no evidence of\nacute infarct\nNo\u00a0\nNo\f\nA\x0b\n3",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "model", "default"))
    parser.add_argument("--encoder-out", default=os.path.join(ROOT, "model", "encoder"),
                        help="where the pre-trained encoder is written")
    parser.add_argument("--encoder", help="start from this pre-trained encoder (skips vocabulary and pre-training)")
    parser.add_argument("--no-pretraining", action="store_true", help="fine-tune from random weights")
    parser.add_argument("--train", type=int, default=80000, help="generated training reports")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=2e-3, help="peak learning rate of fine-tuning (one-cycle)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--real-repeats", type=int, default=16,
                        help="each real training item (model/data/real_train.jsonl.gz) this many times among the "
                             "generated reports; 0 trains on generated reports only")
    parser.add_argument("--written-repeats", type=int, default=1,
                        help="each written training item (model/data/written_train.jsonl.gz) this many times")
    parser.add_argument("--short-fraction", type=float, default=0.7,
                        help="training reports written with little normal filler: same findings, fewer tokens")
    parser.add_argument("--vocab-size", type=int, default=10000)
    parser.add_argument("--pretrain-epochs", type=int, default=2)
    parser.add_argument("--pretrain-lr", type=float, default=1e-3)
    parser.add_argument("--medquad-every", type=int, default=4,
                        help="pre-train on every n-th MedQuAD answer (patient-facing prose) and all the rest")
    parser.add_argument("--pretrain-documents", type=int,
                        help="pre-train on only this many documents, drawn at random (quick checks)")
    parser.add_argument("--pretrain-batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0, help="initialisation and batch order")
    parser.add_argument("--no-artifacts", action="store_true",
                        help="write only the bundle: not the samples or the tokenizer vectors (experiments)")
    parser.add_argument("--evaluate-only", action="store_true",
                        help="re-measure the bundle in --out and rewrite its card; no training")
    parser.add_argument("--rethreshold", action="store_true",
                        help="set the real-text thresholds of the bundle in --out (real_text_thresholds), "
                             "then re-measure it as --evaluate-only does")
    parser.add_argument("--compare", metavar="DIR",
                        help="a bundle built with --no-pretraining: the card says what pre-training bought")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    started = time.time()
    log = lambda message: print(f"[{time.time() - started:6.0f} s] {message}", flush=True)  # noqa: E731

    train_reports = list(generate(args.train, seed=1, id_prefix="train", split="train",
                                  short_fraction=args.short_fraction))
    if args.evaluate_only or args.rethreshold:
        with open(os.path.join(args.out, BUILD_RECIPE)) as f:
            recipe = json.load(f)
        if args.rethreshold:
            set_real_text_thresholds(args.out, recipe, log)
        labelled, _, _ = fine_tuning_reports(train_reports, recipe.get("real_repeats", 0),
                                             recipe.get("written_repeats", 0))
        write_card(args.out, recipe, labelled, args.compare, log)
        return

    encoder_dir, pretrained = args.encoder, None
    if encoder_dir:
        vocab = read_vocab(os.path.join(encoder_dir, "vocab.txt"))
    else:
        real_documents = documents()
        vocab = build_vocab([text for _, text in real_documents] + [r["text"] for r in train_reports],
                            args.vocab_size)
        log(f"vocabulary: {len(vocab)} pieces from {len(real_documents)} real documents and "
            f"{len(train_reports)} reports")
    tokenizer = WordPieceTokenizer(vocab, line_breaks_end_sentences=CONFIG["line_breaks_end_sentences"])
    if not encoder_dir and not args.no_pretraining:
        torch.manual_seed(args.seed)
        model = new_model(tokenizer)
        real = [text for source, text in real_documents if source != "medquad"] + \
            [text for source, text in real_documents if source == "medquad"][::args.medquad_every]
        if args.pretrain_documents:
            real = random.Random(args.seed).sample(real, args.pretrain_documents)
        pretrained = pretrain(model, real, tokenizer, args.pretrain_epochs, args.pretrain_batch_size,
                              args.pretrain_lr, args.seed, log=log)
        save_encoder(model, encoder_config(tokenizer), vocab, args.encoder_out)
        encoder_dir = args.encoder_out
        log(f"pre-trained encoder written to {encoder_dir}")

    labelled, real_items, written_items = fine_tuning_reports(train_reports, args.real_repeats,
                                                              args.written_repeats)
    examples = examples_from_reports(labelled, tokenizer, LABELS, CONFIG["max_tokens"])
    log(f"{len(examples)} of {len(labelled)} training reports fit one window")
    torch.manual_seed(args.seed)
    model = new_model(tokenizer, read_encoder_config(encoder_dir) if encoder_dir else None)
    if encoder_dir and not args.no_pretraining:
        load_encoder(model, encoder_dir)
    train(model, examples, tokenizer, args.epochs, batch_size=args.batch_size, lr=args.lr, seed=args.seed, log=log)
    config = dict(CONFIG, labels=[{"name": name, "threshold": 0.5} for name in LABELS])
    save_bundle(model, args.out, config, vocab, validation_reports(), args.threads)
    log(f"bundle written to {args.out}")

    # The learning recipe only: where outputs went is the builder's business, not the bundle's.
    recipe = {key: value for key, value in vars(args).items()
              if key not in ("evaluate_only", "rethreshold", "compare", "out", "encoder_out", "no_artifacts")}
    set_real_text_thresholds(args.out, recipe, log)
    recipe.update(examples=len(examples), real_items=real_items, written_items=written_items,
                  pretrained_loss=pretrained, vocabulary=len(vocab),
                  from_encoder=bool(encoder_dir) and not args.no_pretraining,
                  build_minutes=round((time.time() - started) / 60))
    write_recipe(args.out, recipe)
    if not args.no_artifacts:
        write_artifacts(tokenizer)
    write_card(args.out, recipe, labelled, args.compare, log)


def write_recipe(bundle_dir, recipe):
    with open(os.path.join(bundle_dir, BUILD_RECIPE), "w") as f:
        json.dump(recipe, f, indent=2)
        f.write("\n")


def real_text_thresholds(labeller, labels):
    """{label: threshold} for `labels`: the one that maximises the mean of its F1 on the
    validation split and on the real-text dev half (training.choose_thresholds_across)."""
    splits = [positive_scores(labeller, reports)[:2] for reports in
              (validation_reports(), load_labelled_jsonl(REAL_TEXT["real_dev"]))]
    chosen = choose_thresholds_across([({k: s[k] for k in labels}, {k: t[k] for k in labels}) for s, t in splits])
    for entry in labeller.config["labels"]:
        entry["threshold"] = chosen.get(entry["name"], entry["threshold"])
    return chosen


def set_real_text_thresholds(bundle_dir, recipe, log):
    """Real-text thresholds for the labels with at least REAL_THRESHOLD_MIN_POSITIVES positives in
    the dev half, written into the bundle; the recipe records which labels took them."""
    dev = load_labelled_jsonl(REAL_TEXT["real_dev"])
    labels = [name for name in LABELS
              if sum(r["labels"][name] == CLASSES.index("positive") for r in dev) >= REAL_THRESHOLD_MIN_POSITIVES]
    chosen = real_text_thresholds(OfflineLabeller(bundle_dir, threads=recipe["threads"]), labels)
    write_thresholds(bundle_dir, chosen, version=CONFIG["version"])
    recipe["real_text_thresholds"] = labels
    write_recipe(bundle_dir, recipe)
    log("real-text thresholds: " + ", ".join(f"{k} {v:.2f}" for k, v in chosen.items()))


def fine_tuning_reports(generated, real_repeats, written_repeats):
    """What the label model (and the baseline beside it) learns from: the generated reports, each
    real training item real_repeats times and each written one written_repeats times, shuffled
    into them by the training loop; and the numbers of real and written items."""
    real = load_labelled_jsonl(REAL_TRAIN) if real_repeats else []
    written = load_labelled_jsonl(WRITTEN_TRAIN) if written_repeats else []
    return generated + real * real_repeats + written * written_repeats, len(real), len(written)


def write_card(bundle_dir, recipe, train_reports, compare, log):
    """Measures the bundle (and the one to compare, if any) and writes its MODEL_CARD.md."""
    labeller = OfflineLabeller(bundle_dir, threads=recipe["threads"])
    real_threshold_labels = recipe.get("real_text_thresholds", [])
    metrics = measure(labeller, train_reports, real_threshold_labels, log)
    other = measure(OfflineLabeller(compare, threads=recipe["threads"]), None, [], log) if compare else None
    with open(os.path.join(bundle_dir, "MODEL_CARD.md"), "w") as f:
        f.write(model_card(labeller, metrics, recipe, other))
    print(open(os.path.join(bundle_dir, "MODEL_CARD.md")).read())


def encoder_config(tokenizer):
    return EncoderConfig(vocab_size=len(tokenizer.vocab), max_position_embeddings=CONFIG["max_tokens"], **ARCH)


def new_model(tokenizer, config=None):
    numbers = [i for piece, i in tokenizer.vocab.items() if piece.lstrip("#").isdigit()]
    return SentenceClassifier(config or encoder_config(tokenizer), len(LABELS), CLASSES, [tokenizer.vocab["."]],
                              numbers, pool_hidden=POOL_HIDDEN, abbreviation_ids=abbreviation_ids(tokenizer.vocab))


def validation_reports():
    """The split thresholds are chosen on: training phrasings, seed 2."""
    return list(generate(2000, seed=2, id_prefix="val", split="train"))


def held_out_reports():
    with gzip.open(HELD_OUT, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return [dict(r, labels={name: CLASSES.index(r["labels"][name]) for name in LABELS}) for r in rows]


def evaluation_sets():
    sets = {"held_out": held_out_reports(), "challenge": load_labelled_jsonl(CHALLENGE)}
    sets.update({name: load_labelled_jsonl(path) for name, path in REAL_TEXT.items()})
    return sets


def measure(labeller, train_reports, real_threshold_labels, log):
    """{"model": {set: metrics}, "baseline": {set: metrics}, "robustness": suite result}; no
    baseline when train_reports is None. The baseline's thresholds are chosen as the bundle's
    were: on the validation split, and for `real_threshold_labels` with the dev half too."""
    baseline = BagOfWordsLabeller(train_reports, validation_reports()) if train_reports is not None else None
    if baseline:
        real_text_thresholds(baseline, real_threshold_labels)
    log("bag-of-words baseline trained")
    out = {"model": {}, "baseline": {}}
    for name, reports in evaluation_sets().items():
        out["model"][name] = evaluate(labeller, reports)
        if baseline:
            out["baseline"][name] = evaluate(baseline, reports)
        log(f"measured {name}")
    out["robustness"] = robustness.run(labeller)
    log("robustness suite run")
    return out


def macro_f1(metrics, min_positives=0):
    rows = [r for r in metrics["labels"].values() if r["support"] >= min_positives]
    return sum(r["f1"] for r in rows) / len(rows)


def comparison_table(model, baseline, thresholds):
    lines = ["| label | positives | threshold | precision | recall | F1 | AUC | bag-of-words P / R / F1 |",
             "|---|---|---|---|---|---|---|---|"]
    for name, r in model["labels"].items():
        b = baseline["labels"][name]
        lines.append(f"| {name} | {r['support']} | {thresholds[name]:.2f} | {r['precision']:.3f} | {r['recall']:.3f} | "
                     f"{r['f1']:.3f} | {r['auc']:.3f} | {b['precision']:.3f} / {b['recall']:.3f} / {b['f1']:.3f} |")
    return lines


# (measure, value from one labeller's {set: metrics}, target); the robustness target is apart.
TARGETS = [
    ("real-text test: abnormal recall", lambda m: m["real_test"]["labels"]["abnormal"]["recall"], 0.95),
    ("real-text test: abnormal precision", lambda m: m["real_test"]["labels"]["abnormal"]["precision"], 0.85),
    (f"real-text test: macro-F1 over labels with >= {MIN_POSITIVES} positives",
     lambda m: macro_f1(m["real_test"], MIN_POSITIVES), 0.85),
    ("real-text test: mass recall", lambda m: m["real_test"]["labels"]["mass"]["recall"], 0.90),
    ("held-out-template macro-F1", lambda m: m["held_out"]["macro_f1"], 0.95),
    ("challenge macro-F1", lambda m: m["challenge"]["macro_f1"], 0.90),
]
CARD = os.path.join(ROOT, "model", "card")  # the card's prose, with {fields} for what is measured


def card_template(name):
    with open(os.path.join(CARD, name), encoding="utf-8") as f:
        return f.read()


def targets_table(metrics):
    lines = ["| measure | this model | bag-of-words baseline | target | |", "|---|---|---|---|---|"]

    def row(name, value, baseline, target):
        verdict = "met" if value >= target else f"missed by {target - value:.3f}"
        lines.append(f"| {name} | {value:.3f} | {baseline} | {target:.2f} | {verdict} |")

    for name, value, target in TARGETS:
        row(name, value(metrics["model"]), f"{value(metrics['baseline']):.3f}", target)
    ours, theirs = (macro_f1(metrics[k]["real_test"], MIN_POSITIVES) for k in ("model", "baseline"))
    lines.append(f"| real-text test: macro-F1 above the baseline's | {ours - theirs:+.3f} | | > 0 | "
                 f"{'met' if ours > theirs else 'missed'} |")
    row("robustness: the lowest pass rate of a family",
        min(f["rate"] for f in metrics["robustness"]["families"].values()), "", 0.95)
    return "\n".join(lines)


def set_table(m, b, thresholds):
    """One evaluation set: the per-label table and its macro-F1 line."""
    return "\n".join(comparison_table(m, b, thresholds) + [
        "", f"Macro-F1 over all 8 labels: **{m['macro_f1']:.3f}** (bag-of-words {b['macro_f1']:.3f}); over the "
            f"labels with >= {MIN_POSITIVES} positives: **{macro_f1(m, MIN_POSITIVES):.3f}** (bag-of-words "
            f"{macro_f1(b, MIN_POSITIVES):.3f}); {m['reports']} reports."])


def model_card(labeller, metrics, recipe, without_pretraining=None):
    """MODEL_CARD.md: model/card/model_card.md filled with the recipe and the measurements."""
    thresholds = {label["name"]: label["threshold"] for label in labeller.config["labels"]}
    if recipe["encoder"]:
        rebuild = (f"Built from the committed pre-trained encoder: `/usr/bin/python3 model/build_default_bundle.py "
                   f"--encoder {recipe['encoder']}` ({recipe['build_minutes']} minutes on 2 cores to the bundle, then "
                   "its measurement); without `--encoder` the same command first rebuilds the vocabulary and an "
                   "encoder (seeded). ")
    else:
        rebuild = (f"Rebuild and re-measure everything below (seeded; {recipe['build_minutes']} minutes on 2 cores "
                   "to the bundle, then its measurement): `/usr/bin/python3 model/build_default_bundle.py`. ")
    if recipe["from_encoder"]:
        pretraining = ("Pre-training: masked-language modelling (`radlabel_model/pretraining.py`) on the real text "
                       "of `model/data/` less every text of the real-text evaluation set (`radlabel_model/corpus.py`): "
                       f"all MTSamples transcriptions and ROCO captions and every {recipe['medquad_every']}th MedQuAD "
                       f"answer, {recipe['pretrain_epochs']} epochs, peak learning rate {recipe['pretrain_lr']:g}; the "
                       "encoder is `model/encoder/`.")
    else:
        pretraining = "No pre-training: the encoder starts from random weights."
    real_texts = (f" and {recipe['real_items']} real texts, each {recipe['real_repeats']} times: head-imaging figure "
                  "captions and case-note sentences that share no text, article or record with the real-text "
                  "evaluation set, each labelled once by `model/LABEL_RULES.md` by a language-model session "
                  "(`model/data/real_train.jsonl.gz`, `model/real_training_set.py`)"
                  if recipe.get("real_items") else "")
    if recipe.get("written_items"):
        times = "once" if recipe["written_repeats"] == 1 else f"{recipe['written_repeats']} times"
        real_texts += (f"; and {recipe['written_items']} texts written for training, each {times}: "
                       "figure captions, report findings, finding lists and case-history passages written by "
                       "hand by language-model sessions given only `model/LABEL_RULES.md` and a brief, none "
                       "shown any evaluation text, each labelling its own items by the rules "
                       "(`model/data/written_train.jsonl.gz`, `model/written_training_set.py`)")
    card = card_template("model_card.md").format(
        name=labeller.config["name"], version=labeller.config["version"], rebuild=rebuild,
        layers=ARCH["num_hidden_layers"], hidden=ARCH["hidden_size"], heads=ARCH["num_attention_heads"],
        feed_forward=ARCH["intermediate_size"], pool_hidden=POOL_HIDDEN, max_tokens=CONFIG["max_tokens"],
        overlap=CONFIG["chunk_overlap"], vocabulary=recipe["vocabulary"], pretraining=pretraining,
        examples=recipe["examples"], train=recipe["train"], short_fraction=f"{recipe['short_fraction']:.0%}",
        real_texts=real_texts, real_thresholds=real_thresholds_prose(recipe), epochs=recipe["epochs"], lr=f"{recipe['lr']:g}", batch_size=recipe["batch_size"],
        targets=targets_table(metrics),
        robustness="\n".join(robustness.table(metrics["robustness"])),
        **{key: set_table(metrics["model"][key], metrics["baseline"][key], thresholds)
           for key in ("real_test", "real_dev", "held_out", "challenge")})
    if without_pretraining:
        card += card_template("pretraining_section.md").format(
            comparison=pretraining_comparison(metrics, without_pretraining))
    return card


def real_thresholds_prose(recipe):
    labels = recipe.get("real_text_thresholds")
    if not labels:
        return ""
    return (f" Labels with at least {REAL_THRESHOLD_MIN_POSITIVES} positives in the real-text dev half "
            f"({', '.join(labels)}) instead take the threshold that maximises the mean of their F1 on the validation "
            "split and on the dev half (`real_text_thresholds`): generated text scores positives higher than "
            "real text does.")


def pretraining_comparison(metrics, other):
    """What pre-training bought: this bundle against one built alike without pre-training."""
    titles = {"real_dev": "Real-text dev half", "real_test": "Real-text test half"}
    lines = ["| measure | pre-trained (this bundle) | no pre-training |", "|---|---|---|"]
    for name, value, _ in TARGETS:
        lines.append(f"| {name} | {value(metrics['model']):.3f} | {value(other['model']):.3f} |")
    for key in ("real_dev", "real_test"):
        lines.append(f"| {titles[key]}: macro-F1 over all 8 labels | {metrics['model'][key]['macro_f1']:.3f} | "
                     f"{other['model'][key]['macro_f1']:.3f} |")
    rates = [min(f["rate"] for f in m["robustness"]["families"].values()) for m in (metrics, other)]
    lines.append(f"| robustness: the lowest pass rate of a family | {rates[0]:.3f} | {rates[1]:.3f} |")
    return "\n".join(lines)


def write_artifacts(tokenizer):
    """The sample reports (README quickstart: full reports) and the tokenizer test vectors of
    this vocabulary."""
    samples_dir = os.path.join(ROOT, "model", "samples")
    os.makedirs(samples_dir, exist_ok=True)
    write_reports_csv(os.path.join(samples_dir, "head_mri_reports.csv"),
                      generate(2000, seed=4, id_prefix="sample", split="held_out"))
    texts = TOKENIZER_EDGE_CASES + [r["text"] for r in generate(300, seed=3, split="held_out")]
    with open(os.path.join(DATA, "tokenizer_vectors.jsonl"), "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t, "ids": tokenizer.encode(t)}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
