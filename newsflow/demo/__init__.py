"""The offline demo: a sample blog served on 127.0.0.1, ingested into a scratch database."""
