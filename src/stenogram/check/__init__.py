"""Quote check (issue 13): where and in what words a circulating quote was said."""
