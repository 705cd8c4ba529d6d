/* ae-conv.c: not written yet. */
