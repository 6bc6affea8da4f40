"""Importers, one module per publisher format; :mod:`geo.ingest` picks one and runs it."""
