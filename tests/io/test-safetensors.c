/* SPDX-License-Identifier: GPL-3.0-or-later */
/* safetensors export: the layout PyTorch's loader expects, read back through our parser. */
#include "io-test-util.h"

#include "ae-io.h"

static const char *const metadata[] = { "config", "preset = \"vae\"\nlatent = 2\tpath = C:\\x\001\n",
                                        "architecture", "{\"layers\":[]}", NULL };

static void
make (AeTensor *t)
{
  static const char *names[3] = { "encoder.weight", "encoder.bias", "decoder.w" };
  static const int ranks[3] = { 2, 1, 3 };
  static const int shapes[3][4] = { { 4, 3 }, { 4 }, { 2, 1, 5 } };
  for (int i = 0; i < 3; i++)
    {
      memset (&t[i], 0, sizeof t[i]);
      snprintf (t[i].name, sizeof t[i].name, "%s", names[i]);
      t[i].rank = ranks[i];
      memcpy (t[i].shape, shapes[i], sizeof shapes[i]);
      size_t n = ae_tensor_numel (&t[i]);
      t[i].data = malloc (n * sizeof (float));
      for (size_t j = 0; j < n; j++)
        t[i].data[j] = (float) (i + 1) * 0.1f - (float) j * 1.5e-3f;
    }
}

static uint8_t *
written (AeTensor *t, size_t *len)
{
  char *dir = io_test_mkdtemp ();
  char *path = io_test_path (dir, "model.safetensors");
  AeError err = { 0 };
  CHECK (ae_safetensors_write (path, metadata, t, 3, &err) == AE_OK, "%s", err.message);
  uint8_t *buf = io_test_read (path, len);
  CHECK (io_test_count_entries (dir) == 1, "temporary files left");
  free (path);
  io_test_rmdir (dir);
  return buf;
}

static void
test_round_trip (void)
{
  AeTensor t[3];
  make (t);
  size_t len;
  uint8_t *buf = written (t, &len);
  uint64_t header = 0;
  for (int b = 7; b >= 0; b--)
    header = header << 8 | buf[b];
  CHECK (header % 8 == 0 && 8 + header <= len, "header length %llu", (unsigned long long) header);
  size_t data = 0;
  for (int i = 0; i < 3; i++)
    data += ae_tensor_numel (&t[i]) * 4;
  CHECK (8 + header + data == len, "file of %zu bytes, expected %llu", len, (unsigned long long) (8 + header + data));
  char *json = strndup ((const char *) buf + 8, header);
  CHECK (strstr (json, "\"__metadata__\":{") != NULL, "%s", json);
  CHECK (strstr (json, "\"config\":\"preset = \\\"vae\\\"\\nlatent = 2\\tpath = C:\\\\x\\u0001\\n\"") != NULL,
         "config not escaped as expected: %s", json);
  CHECK (strstr (json, "\"encoder.weight\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]}") != NULL,
         "%s", json);
  free (json);

  AeTensor *back = NULL;
  int n = 0;
  AeError err = { 0 };
  CHECK (ae_safetensors_parse (buf, len, "model.safetensors", &back, &n, &err) == AE_OK, "%s", err.message);
  CHECK (n == 3, "%d tensors", n);
  for (int i = 0; i < n && i < 3; i++)
    {
      CHECK (strcmp (back[i].name, t[i].name) == 0 && back[i].rank == t[i].rank, "%s", back[i].name);
      CHECK (memcmp (back[i].shape, t[i].shape, (size_t) t[i].rank * sizeof (int)) == 0, "shape of %s", t[i].name);
      CHECK (memcmp (back[i].data, t[i].data, ae_tensor_numel (&t[i]) * 4) == 0, "data of %s", t[i].name);
    }
  ae_modelfile_free_tensors (back, n);

  /* Each metadata string comes back as it was written, escapes undone. */
  for (int k = 0; k < 2; k++)
    {
      char *value = NULL;
      CHECK (ae_safetensors_parse_metadata (buf, len, "model.safetensors", metadata[2 * k], &value, &back,
                                            &n, &err) == AE_OK, "%s", err.message);
      CHECK (value != NULL && strcmp (value, metadata[2 * k + 1]) == 0, "%s read back as '%s'",
             metadata[2 * k], value ? value : "(none)");
      CHECK (n == 3, "%d tensors beside the metadata", n);
      free (value);
      ae_modelfile_free_tensors (back, n);
    }
  char *none = (char *) "unset";
  CHECK (ae_safetensors_parse_metadata (buf, len, "model.safetensors", "missing", &none, &back, &n, &err)
         == AE_OK && none == NULL, "a missing key gives NULL");
  ae_modelfile_free_tensors (back, n);
  free (buf);
  for (int i = 0; i < 3; i++)
    free (t[i].data);
}

static void
test_damage_refused (void)
{
  AeTensor t[3];
  make (t);
  size_t len;
  uint8_t *buf = written (t, &len);
  for (size_t cut = 0; cut < len; cut++)
    {
      AeTensor *back = NULL;
      int n = -1;
      AeError err = { 0 };
      AeStatus st = ae_safetensors_parse (buf, cut, "cut.safetensors", &back, &n, &err);
      CHECK (st != AE_OK && back == NULL && n == 0, "cut at %zu accepted", cut);
      CHECK_NAMES (err, "cut.safetensors");
    }
  /* Flipped bytes in the header: whatever they do, nothing crashes or leaks, and an accepted
   * file still has every tensor within the data. */
  uint64_t header = buf[0] | (uint64_t) buf[1] << 8;
  for (size_t pos = 0; pos < 8 + header; pos++)
    {
      buf[pos] ^= 0x04;
      AeTensor *back = NULL;
      int n = 0;
      AeError err = { 0 };
      if (ae_safetensors_parse (buf, len, "flip.safetensors", &back, &n, &err) == AE_OK)
        ae_modelfile_free_tensors (back, n);
      else
        CHECK_NAMES (err, "flip.safetensors");
      buf[pos] ^= 0x04;
    }
  free (buf);

  const char *bad[] = {
    "{\"w\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}",
    "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}",
    "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
    "{\"w\":{\"dtype\":\"F32\",\"shape\":[99999999999],\"data_offsets\":[0,4]}}",
    "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1],\"data_offsets\":[0,4]}}",
    "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "{\"__metadata__\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
    {
      size_t hl = strlen (bad[k]);
      uint8_t file[512] = { 0 };
      for (int b = 0; b < 8; b++)
        file[b] = (uint8_t) ((uint64_t) hl >> (8 * b));
      memcpy (file + 8, bad[k], hl);
      AeTensor *back = NULL;
      int n = 0;
      AeError err = { 0 };
      AeStatus st = ae_safetensors_parse (file, 8 + hl + 4, "bad.safetensors", &back, &n, &err);
      CHECK (st != AE_OK && back == NULL, "header %zu accepted", k);
      CHECK_NAMES (err, "bad.safetensors");
    }

  /* The writer refuses duplicate names, which PyTorch's loader would reject. */
  snprintf (t[1].name, sizeof t[1].name, "%s", t[0].name);
  AeError err = { 0 };
  CHECK (ae_safetensors_write ("/tmp/never-written.safetensors", metadata, t, 3, &err) == AE_ERR_INVALID, "dupes");
  CHECK_NAMES (err, "/tmp/never-written.safetensors");
  for (int i = 0; i < 3; i++)
    free (t[i].data);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/safetensors/round-trip", test_round_trip },
    { "/safetensors/damage-refused", test_damage_refused },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
