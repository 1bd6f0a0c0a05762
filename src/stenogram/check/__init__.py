"""Quote check: where, by whom and in what words a circulating quote was said (issue 13).

``check_quote`` finds candidate speeches in the search index, aligns the quote with each word
by word, and gives the best passage a verdict (docs/check.md says how and why).
"""

from __future__ import annotations

from .align import Difference
from .result import VERDICTS, CheckResult, Match, Verdict
from .run import check_quote

__all__ = ["VERDICTS", "CheckResult", "Difference", "Match", "Verdict", "check_quote"]
