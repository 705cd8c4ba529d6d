/* ae-png.c: not written yet. */
