"""`python -m tangentish`: the command line (see `tangentish.cli`)."""

from .cli import main

raise SystemExit(main())
