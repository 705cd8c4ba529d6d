/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-safetensors.c: safetensors files through ae_safetensors_parse (the JSON header
 * reader and the checks of shapes against data offsets). */
#include "ae-io.h"
#include "fuzz-target.h"

#define INPUT_NAME "fuzz-input.safetensors"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  AeTensor *tensors;
  int n_tensors;
  AeError err = { 0 };
  AeStatus status = ae_safetensors_parse (data, size, INPUT_NAME, &tensors, &n_tensors, &err);
  fuzz_check_status ("ae_safetensors_parse", status, &err, INPUT_NAME);
  if (status != AE_OK)
    {
      FUZZ_CHECK (tensors == NULL && n_tensors == 0);
      return 0;
    }
  FUZZ_CHECK (tensors != NULL && n_tensors >= 0);
  for (int i = 0; i < n_tensors; i++)
    {
      const AeTensor *t = &tensors[i];
      size_t name_len = strnlen (t->name, AE_TENSOR_NAME_MAX);
      FUZZ_CHECK (name_len < AE_TENSOR_NAME_MAX);
      FUZZ_CHECK (t->rank >= 1 && t->rank <= AE_TENSOR_RANK_MAX);
      for (int d = 0; d < t->rank; d++)
        FUZZ_CHECK (t->shape[d] > 0);
      size_t numel = ae_tensor_numel (t);
      FUZZ_CHECK (numel <= size / 4); /* every value came from the input */
      FUZZ_CHECK (t->data != NULL);
      fuzz_touch_floats (t->data, numel);
    }
  ae_modelfile_free_tensors (tensors, n_tensors);
  return 0;
}
