"""`python bench/run.py`: the same as `python -m bench`, for running the file directly."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cli import main  # the repository's root is importable only from here on

if __name__ == "__main__":
    raise SystemExit(main())
