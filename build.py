#!/usr/bin/env python3
"""Build the förteckning: ``python build.py`` (see ``python build.py --help``).

A thin entry point; the logic lives in the ``kanalregister`` package.
"""

import sys

from kanalregister.cli import main

if __name__ == "__main__":
    sys.exit(main())
