/* ae-config.c: not written yet. */
