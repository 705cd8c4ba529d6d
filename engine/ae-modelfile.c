/* ae-modelfile.c: not written yet. */
