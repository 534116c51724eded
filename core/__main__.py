"""`python -m core ...`: the command line of the workbench."""

import sys

from core.cli import main

sys.exit(main())
