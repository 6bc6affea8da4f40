"""Conflict-incident mapping: the domain library behind the dashboard (no Streamlit here)."""

__version__ = "0.1.0"
