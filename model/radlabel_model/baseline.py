"""The bag-of-words baseline that every figure of the default model stands beside: TF-IDF of
word 1- and 2-grams and one multinomial logistic regression per label over its three classes
(Debian's python3-sklearn), trained on the same generated reports as the transformer, with
thresholds chosen the same way (training.choose_thresholds on the same validation split).

It has the interface evaluate.py reads from an OfflineLabeller (config, positive_index,
probabilities, decisions), so both are measured by the same code. Why: a transformer that does
not beat this has not earned its cost.
"""
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from .bundle import decide
from .evaluate import positive_scores
from .labels import CLASSES, LABELS, POSITIVE
from .training import choose_thresholds


class BagOfWordsLabeller:
    def __init__(self, train_reports, validation_reports, max_features=200000):
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                                          max_features=max_features, lowercase=True)
        x = self.vectorizer.fit_transform([r["text"] for r in train_reports])
        self.models = []
        for label in LABELS:
            y = np.array([r["labels"][label] for r in train_reports])
            model = LogisticRegression(max_iter=2000)
            model.fit(x, y)
            self.models.append(model)
        self.positive_index = POSITIVE
        self.config = {"classes": CLASSES, "labels": [{"name": label, "threshold": 0.5} for label in LABELS]}
        scores, truths, _ = positive_scores(self, validation_reports)
        for label, threshold in zip(self.config["labels"], choose_thresholds(scores, truths).values()):
            label["threshold"] = threshold

    def probabilities(self, text):
        """[L][C] class probabilities for one report."""
        x = self.vectorizer.transform([text])
        out = []
        for model in self.models:
            p = np.zeros(len(CLASSES))
            p[model.classes_] = model.predict_proba(x)[0]
            out.append(p.tolist())
        return out

    def decisions(self, probs):
        return decide(probs, self.config["labels"], self.positive_index)
