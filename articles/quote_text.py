"""How a quote's words are written in `Quote.text`, shared by the importer, which writes
them, and the body's quote matching (`rendering/body.py`), which finds them again.

Plain Python: the parser imports it and stays free of Django and the models."""

# Joins the parts of a split quote (“…,” she said. “…”); each part is looked for in turn.
SPLIT_QUOTE_JOINER = " … "
