/* ae-metrics.c: not written yet. */
