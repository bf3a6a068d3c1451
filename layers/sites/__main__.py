"""Run the sites command line: ``python -m layers.sites validate|audit|osm-check|geocode``."""

import sys

from layers.sites.cli import main

sys.exit(main())
