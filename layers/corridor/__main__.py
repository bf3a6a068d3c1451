"""``python -m layers.corridor``: see :func:`layers.corridor.main`."""

import sys

from layers.corridor._cli import main

sys.exit(main())
