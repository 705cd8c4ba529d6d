/* ae-trainer.c: not written yet. */
