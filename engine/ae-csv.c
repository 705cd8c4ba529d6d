/* ae-csv.c: not written yet. */
