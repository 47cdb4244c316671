"""``python -m chronos``: the chronos command."""

import sys

from chronos.cli import main

sys.exit(main())
