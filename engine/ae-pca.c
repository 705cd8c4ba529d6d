/* ae-pca.c: not written yet. */
