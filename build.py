#!/usr/bin/env python3
"""Build the förteckning: ``python build.py`` (see ``python build.py --help``).

A thin entry point; the logic lives in the ``kanalregister`` package.
"""

from kanalregister.commands.cli import exit_now, main

if __name__ == "__main__":
    exit_now(main(exiting=True))
