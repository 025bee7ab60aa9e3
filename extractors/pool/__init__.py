"""The worker pool: extraction and tagging on supervised worker processes, forked warm."""
