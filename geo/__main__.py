"""``python -m geo``: build and inspect data directories from the command line."""

import sys

from geo.cli import main

sys.exit(main())
