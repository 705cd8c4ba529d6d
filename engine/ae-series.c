/* ae-series.c: not written yet. */
