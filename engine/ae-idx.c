/* ae-idx.c: not written yet. */
