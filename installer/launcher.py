"""Entry script of the frozen bundle: the same ``hotspot-desktop`` command."""

import sys

from hotspot_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
