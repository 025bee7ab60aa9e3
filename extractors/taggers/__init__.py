"""The taggers: labels on an article's text (language, entities, keywords, topics,
categories), run by tagging.tag_article, and near-duplicate signatures. No tagger imports
another (an import-linter contract); they share tagger.py, text.py, gazetteer.py and
topics_file.py."""
