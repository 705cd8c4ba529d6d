/* ae-io-file.c: not written yet. */
