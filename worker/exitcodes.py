"""The exit codes every command uses (documented in the README).

0  success
1  unexpected failure (a bug: the traceback is shown with -vv)
2  an article or service failed (sync), or a link is broken (check)
3  configuration error: bad settings, missing secrets, unusable paths
4  check only: nothing broken, but some links could not be checked (rate limit, 5xx, timeout)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_FAILED = 2
EXIT_CONFIG = 3
EXIT_INCONCLUSIVE = 4
