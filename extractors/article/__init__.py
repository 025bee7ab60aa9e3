"""The article: fetched HTML bytes to an `Article` (extract.extract_article): decoding, the
page's metadata, the main text without furniture, the headline and dates."""
