"""The taggers: labels on an article's text (language, entities, keywords, topics,
categories), run by tagging.tag_article, and near-duplicate signatures. No tagger imports
another (import-linter checks it); what they share is tagger.py, text.py and gazetteer.py."""
