"""Search analysis: the terms an article and a query are made of, and result snippets."""
