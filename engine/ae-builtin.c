/* ae-builtin.c: not written yet. */
