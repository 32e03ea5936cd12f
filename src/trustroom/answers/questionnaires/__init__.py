"""Customer security questionnaires: reading them (`formats`), answering from the bank, review, export."""
