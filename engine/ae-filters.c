/* ae-filters.c: not written yet. */
