"""Run the uploads command line: ``python -m layers.uploads FILE``."""

import sys

from layers.uploads._cli import main

sys.exit(main())
