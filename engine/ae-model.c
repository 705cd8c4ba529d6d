/* ae-model.c: not written yet. */
