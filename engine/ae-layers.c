/* ae-layers.c: not written yet. */
