"""Python side of radlabel: data generation, tokenizer, classifier, training and export."""
