"""The script AppTest runs: the real app.py, started from a folder that has no ``pages/`` beside it.

Streamlit treats a ``pages/`` folder next to the main script as a legacy multipage app until
``st.navigation`` runs, and AppTest forgets that before every run, so from app.py itself every
rerun would start as a fresh server's first visit (the page without the frame). From here the
main script's folder is ``tests/``: every run goes through app.py, as the server does once a
visitor has loaded it. The fresh server's first visit is covered by the browser tests.
"""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parent.parent / "app.py"), run_name="__main__")
