/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-modelfile.c: Latent Lab model files through ae_modelfile_parse.
 *
 * The file ends with a CRC-32 of everything before it, which random mutations almost
 * never keep right. So each input is parsed as it is (the checksum path), then once more
 * with its last four bytes replaced by the right checksum, so that the fuzzer also reaches
 * the end of a well-formed parse with whatever it put in the tensors. */
#include <zlib.h>

#include "ae-io.h"
#include "fuzz-target.h"

#define INPUT_NAME "fuzz-input.llmodel"

static void
parse_once (const uint8_t *data, size_t size)
{
  char *config_text;
  AeTensor *tensors;
  int n_tensors;
  AeError err = { 0 };
  AeStatus status = ae_modelfile_parse (data, size, INPUT_NAME, &config_text, &tensors,
                                        &n_tensors, &err);
  fuzz_check_status ("ae_modelfile_parse", status, &err, INPUT_NAME);
  if (status != AE_OK)
    {
      FUZZ_CHECK (config_text == NULL && tensors == NULL && n_tensors == 0);
      return;
    }
  FUZZ_CHECK (config_text != NULL && strlen (config_text) < size);
  FUZZ_CHECK (n_tensors >= 0 && (n_tensors == 0 || tensors != NULL));
  for (int i = 0; i < n_tensors; i++)
    {
      const AeTensor *t = &tensors[i];
      size_t name_len = strnlen (t->name, AE_TENSOR_NAME_MAX);
      FUZZ_CHECK (name_len > 0 && name_len < AE_TENSOR_NAME_MAX);
      FUZZ_CHECK (t->rank >= 1 && t->rank <= AE_TENSOR_RANK_MAX);
      for (int d = 0; d < t->rank; d++)
        FUZZ_CHECK (t->shape[d] > 0);
      size_t numel = ae_tensor_numel (t);
      /* Every value came from the input, four bytes each. */
      FUZZ_CHECK (numel <= size / 4);
      FUZZ_CHECK (t->data != NULL);
      fuzz_touch_floats (t->data, numel);
    }
  free (config_text);
  ae_modelfile_free_tensors (tensors, n_tensors);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  parse_once (data, size);
  if (size < 4)
    return 0;

  uint32_t crc = (uint32_t) crc32 (crc32 (0L, Z_NULL, 0), data, (uInt) (size - 4));
  uint8_t le[4] = { (uint8_t) crc, (uint8_t) (crc >> 8), (uint8_t) (crc >> 16), (uint8_t) (crc >> 24) };
  if (memcmp (data + size - 4, le, 4) == 0)
    return 0; /* already right: parsed above */
  uint8_t *fixed = malloc (size);
  if (fixed == NULL)
    return 0;
  memcpy (fixed, data, size - 4);
  memcpy (fixed + size - 4, le, 4);
  parse_once (fixed, size);
  free (fixed);
  return 0;
}
