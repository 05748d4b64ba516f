"""Lucid Workstation: run ``python main.py --help`` for the commands."""

import sys

from app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
