"""Hostile-input corpora shared by the hardening tests."""
