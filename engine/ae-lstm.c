/* ae-lstm.c: not written yet. */
