import collections

from radlabel_model import corpus


def test_no_evaluation_text_or_its_source_record_is_in_the_pretraining_text():
    items = corpus.evaluation_items()
    docs = corpus.documents(items=items)
    folded = [corpus.fold(text) for _, text in docs]
    assert len(docs) > 20000
    sources = {source for source, _ in docs}
    assert sources == {"mtsamples", "roco", "medquad"}
    # Spot-check by brute force on a sample of items (documents() checks every one).
    for item in items[::25]:
        text = corpus.fold(item["text"])
        assert not any(text in d for d in folded), item["id"]


def test_no_caption_of_an_evaluation_article_is_in_the_pretraining_text():
    roco = corpus.read_jsonl(f"{corpus.DATA}/roco_captions.jsonl.gz")
    by_article = collections.defaultdict(list)
    for r in roco:
        by_article[corpus.article(r["pmc_image"])].append(r)
    item = next(r for r in roco if len(by_article[corpus.article(r["pmc_image"])]) > 1)
    siblings = by_article[corpus.article(item["pmc_image"])]
    items = [{"source": "roco", "source_id": item["id"], "pmc_image": item["pmc_image"], "text": item["caption"]}]
    kept = [text for source, text in corpus.documents(items=items) if source == "roco"]
    assert not set(kept) & {r["caption"] for r in siblings}
    assert len(kept) == len(roco) - len(siblings)


def test_a_document_holding_an_evaluation_text_is_dropped():
    items = [{"source": "roco", "source_id": "nope", "text": "A Uniformly  enhancing mass in the pons."}]
    docs = corpus.documents(items=items)
    planted = [{"source": "roco", "source_id": "x", "text": "Caption: a uniformly enhancing mass in the pons. More."}]
    index = corpus._TextIndex(corpus.fold(i["text"]) for i in items)
    assert index.found_in(corpus.fold(planted[0]["text"]))
    assert not index.found_in(corpus.fold("a uniformly enhancing mass in the medulla."))
    assert len(docs) == len(corpus.documents(items=[]))  # nothing real holds that sentence
