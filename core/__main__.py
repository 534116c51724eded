"""`python -m core ...`: the command line of the workbench."""

import sys

from core.cli.main import main

sys.exit(main())
