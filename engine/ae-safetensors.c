/* ae-safetensors.c: not written yet. */
