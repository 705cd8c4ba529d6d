/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Latent Lab model files: bit-exact round trips, and refusal of damaged files. */
#include "io-test-util.h"

#include "ae-io.h"

#define N_TENSORS 3

/* Tensors with awkward values: signed zeros, subnormals, huge and tiny numbers. */
static void
make_tensors (AeTensor *t)
{
  static const char *names[N_TENSORS] = { "encoder.0.weight", "encoder.0.bias", "decoder.conv.w" };
  static const int ranks[N_TENSORS] = { 2, 1, 4 };
  static const int shapes[N_TENSORS][4] = { { 7, 5 }, { 7 }, { 2, 3, 3, 2 } };
  for (int i = 0; i < N_TENSORS; i++)
    {
      memset (&t[i], 0, sizeof t[i]);
      snprintf (t[i].name, sizeof t[i].name, "%s", names[i]);
      t[i].rank = ranks[i];
      memcpy (t[i].shape, shapes[i], sizeof shapes[i]);
      size_t n = ae_tensor_numel (&t[i]);
      t[i].data = malloc (n * sizeof (float));
      for (size_t j = 0; j < n; j++)
        {
          uint32_t bits = (uint32_t) ((j + 1) * 2654435761u + (uint32_t) i * 40503u);
          bits &= 0xbfffffffu; /* keep the exponent below 0xff: no NaN or infinity */
          memcpy (&t[i].data[j], &bits, 4);
        }
      if (n > 2)
        {
          t[i].data[0] = -0.0f;
          t[i].data[1] = 1e-42f;
        }
    }
}

static void
free_tensors (AeTensor *t)
{
  for (int i = 0; i < N_TENSORS; i++)
    free (t[i].data);
}

static const char *config = "preset = vae\nlatent = 2\nhidden = 512,128\n";

static void
test_numel (void)
{
  AeTensor t = { .rank = 3, .shape = { 2, 3, 4 } };
  CHECK (ae_tensor_numel (&t) == 24, "numel %zu", ae_tensor_numel (&t));
  t.rank = 1;
  CHECK (ae_tensor_numel (&t) == 2, "numel %zu", ae_tensor_numel (&t));
}

static void
test_round_trip (void)
{
  char *dir = io_test_mkdtemp ();
  char *path = io_test_path (dir, "m.llmodel");
  AeTensor t[N_TENSORS];
  make_tensors (t);
  AeError err = { 0 };
  CHECK (ae_modelfile_write (path, config, t, N_TENSORS, &err) == AE_OK, "%s", err.message);
  char *text = NULL;
  AeTensor *back = NULL;
  int n = 0;
  CHECK (ae_modelfile_read (path, &text, &back, &n, &err) == AE_OK, "%s", err.message);
  CHECK (n == N_TENSORS, "%d tensors", n);
  CHECK (text != NULL && strcmp (text, config) == 0, "config text differs: %s", text);
  for (int i = 0; i < n && i < N_TENSORS; i++)
    {
      CHECK (strcmp (back[i].name, t[i].name) == 0, "name %s vs %s", back[i].name, t[i].name);
      CHECK (back[i].rank == t[i].rank, "rank of %s", t[i].name);
      CHECK (memcmp (back[i].shape, t[i].shape, (size_t) t[i].rank * sizeof (int)) == 0,
             "shape of %s", t[i].name);
      CHECK (memcmp (back[i].data, t[i].data, ae_tensor_numel (&t[i]) * 4) == 0,
             "data of %s is not bit-exact", t[i].name);
    }
  free (text);
  ae_modelfile_free_tensors (back, n);

  /* Rewriting the same path with fewer tensors replaces the file. */
  CHECK (ae_modelfile_write (path, "", t, 1, &err) == AE_OK, "%s", err.message);
  CHECK (ae_modelfile_read (path, &text, &back, &n, &err) == AE_OK, "%s", err.message);
  CHECK (n == 1 && text != NULL && text[0] == '\0', "%d tensors", n);
  free (text);
  ae_modelfile_free_tensors (back, n);
  CHECK (io_test_count_entries (dir) == 1, "temporary files left behind");
  free_tensors (t);
  free (path);
  io_test_rmdir (dir);
}

static void
test_write_refuses_bad_tensors (void)
{
  AeTensor t[N_TENSORS];
  make_tensors (t);
  AeError err = { 0 };
  char *dir = io_test_mkdtemp ();
  char *path = io_test_path (dir, "bad.llmodel");
  t[1].shape[0] = 0;
  CHECK (ae_modelfile_write (path, config, t, N_TENSORS, &err) == AE_ERR_INVALID, "zero dimension");
  CHECK_NAMES (err, path);
  t[1].shape[0] = 7;
  t[2].rank = 5;
  CHECK (ae_modelfile_write (path, config, t, N_TENSORS, &err) == AE_ERR_INVALID, "rank 5");
  CHECK (io_test_count_entries (dir) == 0, "a refused write left a file");
  free_tensors (t);
  free (path);
  io_test_rmdir (dir);
}

/* Encodes the test model into memory through a file, for the damage tests. */
static uint8_t *
encoded_model (size_t *len)
{
  char *dir = io_test_mkdtemp ();
  char *path = io_test_path (dir, "m.llmodel");
  AeTensor t[N_TENSORS];
  make_tensors (t);
  AeError err = { 0 };
  CHECK (ae_modelfile_write (path, config, t, N_TENSORS, &err) == AE_OK, "%s", err.message);
  uint8_t *buf = io_test_read (path, len);
  free_tensors (t);
  free (path);
  io_test_rmdir (dir);
  return buf;
}

static void
test_truncated_everywhere (void)
{
  size_t len;
  uint8_t *buf = encoded_model (&len);
  int refused = 0, mentions_offset = 0;
  for (size_t cut = 0; cut < len; cut++)
    {
      char *text = NULL;
      AeTensor *t = NULL;
      int n = -1;
      AeError err = { 0 };
      AeStatus st = ae_modelfile_parse (buf, cut, "cut.llmodel", &text, &t, &n, &err);
      refused += st != AE_OK;
      CHECK (st != AE_OK && text == NULL && t == NULL && n == 0, "cut at %zu accepted", cut);
      CHECK_NAMES (err, "cut.llmodel");
      mentions_offset += strstr (err.message, "truncated at offset") != NULL;
    }
  CHECK (refused == (int) len, "%d of %zu cuts refused", refused, len);
  /* Every cut past the magic line is reported as a truncation at an offset. */
  CHECK (mentions_offset >= (int) len - 20, "%d of %zu say where", mentions_offset, len);
  free (buf);
}

static void
test_flipped_bytes (void)
{
  size_t len;
  uint8_t *buf = encoded_model (&len);
  int refused = 0;
  for (size_t pos = 0; pos < len; pos++)
    for (int bit = 0; bit < 8; bit += 3)
      {
        buf[pos] ^= (uint8_t) (1u << bit);
        char *text = NULL;
        AeTensor *t = NULL;
        int n = 0;
        AeError err = { 0 };
        AeStatus st = ae_modelfile_parse (buf, len, "flip.llmodel", &text, &t, &n, &err);
        refused += st != AE_OK;
        CHECK (st != AE_OK, "flip of bit %d at %zu accepted", bit, pos);
        CHECK_NAMES (err, "flip.llmodel");
        if (st == AE_OK)
          {
            free (text);
            ae_modelfile_free_tensors (t, n);
          }
        buf[pos] ^= (uint8_t) (1u << bit);
      }
  CHECK (refused == (int) len * 3, "%d refused", refused);

  /* A byte in the tensor data changes only the checksum. */
  buf[len - 20] ^= 1;
  char *text = NULL;
  AeTensor *t = NULL;
  int n = 0;
  AeError err = { 0 };
  ae_modelfile_parse (buf, len, "flip.llmodel", &text, &t, &n, &err);
  CHECK (strstr (err.message, "checksum mismatch") != NULL, "%s", err.message);
  free (buf);
}

static void
test_magic_and_version (void)
{
  size_t len;
  uint8_t *buf = encoded_model (&len);
  char *text = NULL;
  AeTensor *t = NULL;
  int n = 0;
  AeError err = { 0 };
  CHECK (memcmp (buf, "LATENTLAB-MODEL 1\n", 18) == 0, "magic line");
  buf[16] = '2';
  CHECK (ae_modelfile_parse (buf, len, "v2.llmodel", &text, &t, &n, &err) == AE_ERR_UNSUPPORTED,
         "version 2 accepted");
  CHECK (strstr (err.message, "version 2") != NULL, "%s", err.message);
  CHECK_NAMES (err, "v2.llmodel");
  const char png_head[] = "\x89PNG\r\n\x1a\n....";
  CHECK (ae_modelfile_parse ((const uint8_t *) png_head, sizeof png_head, "x.png", &text, &t, &n,
                             &err) == AE_ERR_FORMAT, "PNG accepted");
  CHECK (strstr (err.message, "bad magic") != NULL, "%s", err.message);
  CHECK_NAMES (err, "x.png");
  free (buf);

  /* A missing file names its path. */
  CHECK (ae_modelfile_read ("/nonexistent/m.llmodel", &text, &t, &n, &err) == AE_ERR_IO, "missing");
  CHECK_NAMES (err, "/nonexistent/m.llmodel");
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/modelfile/numel", test_numel },
    { "/modelfile/round-trip", test_round_trip },
    { "/modelfile/write-refuses-bad-tensors", test_write_refuses_bad_tensors },
    { "/modelfile/truncated-everywhere", test_truncated_everywhere },
    { "/modelfile/flipped-bytes", test_flipped_bytes },
    { "/modelfile/magic-and-version", test_magic_and_version },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
