/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-cli-tools.c: what a saved model is used for: `denoise`, `generate`, `interpolate`,
 * `export-latent`, `export` and `import`. */
#include "lab-cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ae-io.h"
#include "ae-math.h"

/* TensorBoard's projector reads sprites up to this side. */
#define SPRITE_MAX_SIDE 8192

/* --- denoise ------------------------------------------------------------------------------ */

static void
reconstruct_tiles (void *model, float *out, const float *in, long n)
{
  ae_model_reconstruct (model, out, in, n);
}

int
lab_cli_denoise (LabArgs *args)
{
  const char *path = args->positional[0];
  const char *in = lab_args_get (args, "in"), *out = lab_args_get (args, "out");
  const char *noise_text = lab_args_get (args, "noise"), *noisy_out = lab_args_get (args, "noisy-out");
  int json = lab_args_flag (args, "json"), ensemble = lab_args_flag (args, "ensemble");
  if (in == NULL || out == NULL)
    return lab_fail (args, LAB_EXIT_USAGE, "--in IMAGE.png and --out OUT.png are required");
  int writable = lab_check_writable (args, "out", out);
  if (writable == LAB_EXIT_OK && noisy_out != NULL)
    writable = lab_check_writable (args, "noisy-out", noisy_out);
  if (writable != LAB_EXIT_OK)
    return writable;
  AeNoise noise = AE_NOISE_NONE;
  float level = 0;
  AeError err = { 0 };
  if (noise_text != NULL && ae_noise_parse (noise_text, &noise, &level, &err) != AE_OK)
    return lab_fail (args, LAB_EXIT_USAGE, "--noise %s: %s", noise_text, err.message);
  long seed;
  if (!lab_args_int (args, "seed", 1, 0, 0x7fffffffL, &seed))
    return LAB_EXIT_USAGE;

  AeModel *model = NULL;
  int status = lab_load_model (args, path, &model);
  if (status != LAB_EXIT_OK)
    return status;
  const AeConfig *c = ae_model_config (model);
  float *image = NULL, *noisy = NULL, *sum = NULL;
  int w = 0, h = 0, C = c->channels;
  status = LAB_EXIT_FAILURE;
  if (c->arch == AE_ARCH_SEQUENCE || (C != 1 && C != 3))
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s: denoising images needs a model of grey or RGB images (this "
                "one takes %d x %d x %d)", path, c->channels, c->height, c->width);
      goto out;
    }
  /* A model of rows of numbers (a CSV's) once "denoised" a picture in 1 x 8 tiles. */
  if (c->height == 1 && c->channels == 1)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s: the model was trained on rows of %d numbers (a CSV "
                "file), not on images: --in %s needs a model of images", path, c->width, in);
      goto out;
    }
  /* The image is read in the model's kind: a colour photo through a grey model is its luma. */
  if (ae_image_read (in, C, &image, &w, &h, &C, &err) != AE_OK)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s", err.message);
      goto out;
    }
  const int whole = ae_model_is_fully_convolutional (model);
  if (ensemble && !whole)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s: --ensemble needs a fully convolutional model "
                "(photo-denoiser); the %s model has layers of a fixed size", path, c->preset);
      goto out;
    }
  if (!whole && (w < c->width || h < c->height))
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s: %d x %d pixels, smaller than the model's %d x %d input",
                in, w, h, c->width, c->height);
      goto out;
    }
  size_t pixels = (size_t) w * (size_t) h, values = pixels * (size_t) C;
  noisy = malloc (values * sizeof (float));
  sum = malloc (values * sizeof (float));
  if (noisy == NULL || sum == NULL)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s: out of memory for %d x %d pixels", in, w, h);
      goto out;
    }
  memcpy (noisy, image, values * sizeof (float));
  if (noise != AE_NOISE_NONE)
    {
      AeRng rng;
      ae_rng_seed (&rng, (uint64_t) seed);
      ae_corrupt (noisy, (long) values, noise, level, &rng);
    }
  /* A fully convolutional model takes the whole image at once; others go in tiles of their
   * input size that overlap by half, blended so that seams do not show. */
  if (whole ? (ensemble ? ae_model_apply_image_ensemble (model, sum, noisy, w, h, &err)
                        : ae_model_apply_image (model, sum, noisy, w, h, &err)) != AE_OK
            : ae_tiles_apply (sum, noisy, C, w, h, c->width, c->height, reconstruct_tiles, model,
                              &err) != AE_OK)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s: %s", in, err.message);
      goto out;
    }
  if (ae_png_write_planar (out, sum, w, h, C, &err) != AE_OK
      || (noisy_out != NULL && ae_png_write_planar (noisy_out, noisy, w, h, C, &err) != AE_OK))
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s", err.message);
      goto out;
    }
  double psnr_noisy = ae_psnr (image, noisy, (long) values), psnr_out = ae_psnr (image, sum, (long) values);
  if (json)
    {
      LabJson j;
      lab_json_begin (&j, stdout);
      lab_json_string (&j, "out", out);
      lab_json_int (&j, "width", w);
      lab_json_int (&j, "height", h);
      if (noise != AE_NOISE_NONE)
        {
          lab_json_number (&j, "psnr_noisy", psnr_noisy);
          lab_json_number (&j, "psnr_model", psnr_out);
        }
      lab_json_end (&j);
    }
  else if (noise != AE_NOISE_NONE)
    printf ("%s: %d x %d, PSNR against %s: noisy %.2f dB, denoised %.2f dB\n", out, w, h, in,
            psnr_noisy, psnr_out);
  else if (whole)
    printf ("%s: %d x %d, denoised whole%s\n", out, w, h,
            ensemble ? ", the mean of its eight flips and quarter turns" : "");
  else
    printf ("%s: %d x %d, denoised in overlapping %d x %d tiles\n", out, w, h, c->width, c->height);
  status = LAB_EXIT_OK;
out:
  free (image);
  free (noisy);
  free (sum);
  ae_model_free (model);
  return status;
}

/* --- generate ------------------------------------------------------------------------------ */

/* Mean and standard deviation of each code dimension over the training split. */
static int
fit_code_gaussian (AeModel *model, const AeDataset *ds, float *mean, float *sd)
{
  int L = ae_model_latent_dim (model);
  float *owned = NULL;
  const float *x = ae_dataset_rows (ds, ae_dataset_train (ds), ds->n_train, &owned);
  float *codes = malloc ((size_t) ds->n_train * (size_t) L * sizeof (float));
  if (x == NULL || codes == NULL)
    {
      free (owned);
      free (codes);
      return 0;
    }
  ae_model_encode (model, codes, NULL, x, ds->n_train);
  for (int j = 0; j < L; j++)
    {
      double s = 0, s2 = 0;
      for (long i = 0; i < ds->n_train; i++)
        {
          double v = codes[(size_t) i * L + j];
          s += v;
          s2 += v * v;
        }
      double m = s / (double) ds->n_train;
      mean[j] = (float) m;
      sd[j] = (float) sqrt (fmax (s2 / (double) ds->n_train - m * m, 0.0));
    }
  free (owned);
  free (codes);
  return 1;
}

int
lab_cli_generate (LabArgs *args)
{
  const char *path = args->positional[0];
  const char *out = lab_args_get (args, "out"), *spec = lab_args_get (args, "data");
  long n, seed;
  if (!lab_args_int (args, "n", 64, 1, 4096, &n) || !lab_args_int (args, "seed", 1, 0, 0x7fffffffL, &seed))
    return LAB_EXIT_USAGE;
  if (out == NULL)
    return lab_fail (args, LAB_EXIT_USAGE, "--out GRID.png is required");
  AeModel *model = NULL;
  int status = lab_load_model_writing (args, path, "out", out, &model);
  if (status != LAB_EXIT_OK)
    return status;
  const AeConfig *c = ae_model_config (model);
  int L = ae_model_latent_dim (model), dim = ae_model_input_dim (model);
  float *mean = calloc ((size_t) L, sizeof (float)), *sd = malloc ((size_t) L * sizeof (float));
  float *codes = malloc ((size_t) n * (size_t) L * sizeof (float));
  float *images = malloc ((size_t) n * (size_t) dim * sizeof (float));
  AeDataset *ds = NULL;
  AeError err = { 0 };
  status = LAB_EXIT_FAILURE;
  if (mean == NULL || sd == NULL || codes == NULL || images == NULL)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "out of memory for %ld images", n);
      goto out;
    }
  if (c->arch == AE_ARCH_SEQUENCE)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s: a sequence model has no images to draw", path);
      goto out;
    }
  for (int j = 0; j < L; j++)
    sd[j] = 1.0f;
  if (!c->variational)
    {
      if (spec == NULL)
        {
          lab_fail (args, LAB_EXIT_USAGE, "%s is not variational: give --data D to draw codes from "
                    "a Gaussian fitted to its training codes", path);
          status = LAB_EXIT_USAGE;
          goto out;
        }
      if ((status = lab_load_model_data (args, spec, model, &ds)) != LAB_EXIT_OK)
        goto out;
      status = LAB_EXIT_FAILURE;
      if (!fit_code_gaussian (model, ds, mean, sd))
        {
          lab_fail (args, LAB_EXIT_FAILURE, "out of memory for the codes of %s", ds->name);
          goto out;
        }
    }
  AeRng rng;
  ae_rng_seed (&rng, (uint64_t) seed);
  for (long i = 0; i < n * L; i++)
    codes[i] = mean[i % L] + sd[i % L] * ae_rng_normal (&rng);
  ae_model_decode (model, images, codes, n);
  int cols = (int) ceil (sqrt ((double) n));
  if (lab_write_grid (out, images, n, cols, 1, c->channels, c->height, c->width, &err) != AE_OK)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s", err.message);
      goto out;
    }
  printf ("%s: %ld images drawn from %s\n", out, n,
          c->variational ? "the prior N(0, I)" : "a Gaussian fitted to the training codes");
  status = LAB_EXIT_OK;
out:
  free (mean);
  free (sd);
  free (codes);
  free (images);
  ae_dataset_free (ds);
  ae_model_free (model);
  return status;
}

/* --- interpolate ---------------------------------------------------------------------------- */

int
lab_cli_interpolate (LabArgs *args)
{
  const char *path = args->positional[0];
  const char *spec = lab_args_get (args, "data"), *out = lab_args_get (args, "out");
  long from, to, steps;
  if (spec == NULL || out == NULL || lab_args_get (args, "from") == NULL || lab_args_get (args, "to") == NULL)
    return lab_fail (args, LAB_EXIT_USAGE, "--data, --from, --to and --out are required");
  if (!lab_args_int (args, "from", 0, 0, AE_MAX_SAMPLES, &from)
      || !lab_args_int (args, "to", 0, 0, AE_MAX_SAMPLES, &to)
      || !lab_args_int (args, "steps", 10, 2, 1000, &steps))
    return LAB_EXIT_USAGE;
  AeModel *model = NULL;
  int status = lab_load_model_writing (args, path, "out", out, &model);
  if (status != LAB_EXIT_OK)
    return status;
  const AeConfig *c = ae_model_config (model);
  AeDataset *ds = NULL;
  float *ends = NULL, *codes = NULL, *images = NULL;
  AeError err = { 0 };
  /* The strip is one row of images a pixel apart, and a PNG is at most AE_MAX_IMAGE_SIDE
   * wide: the real bound depends on the model's image width, known only now. */
  long max_steps = (AE_MAX_IMAGE_SIDE + 1) / (c->width + 1);
  if (steps > max_steps)
    {
      status = lab_fail (args, LAB_EXIT_USAGE, "--steps %ld: at most %ld images %d pixels wide fit "
                         "in one strip (%d pixels)", steps, max_steps, c->width, AE_MAX_IMAGE_SIDE);
      goto out;
    }
  if ((status = lab_load_model_data (args, spec, model, &ds)) != LAB_EXIT_OK)
    goto out;
  status = LAB_EXIT_FAILURE;
  if (from >= ds->n || to >= ds->n)
    {
      status = lab_fail (args, LAB_EXIT_USAGE, "--from %ld --to %ld: %s has samples 0 to %ld", from,
                         to, ds->name, ds->n - 1);
      goto out;
    }
  int L = ae_model_latent_dim (model), dim = ds->dim;
  ends = malloc (2 * (size_t) L * sizeof (float));
  codes = malloc ((size_t) steps * (size_t) L * sizeof (float));
  images = malloc ((size_t) steps * (size_t) dim * sizeof (float));
  if (ends == NULL || codes == NULL || images == NULL)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "out of memory");
      goto out;
    }
  uint32_t idx[2] = { (uint32_t) from, (uint32_t) to };
  float *x = malloc (2 * (size_t) dim * sizeof (float));
  if (x == NULL)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "out of memory");
      goto out;
    }
  ae_dataset_gather (ds, x, idx, 2);
  ae_model_encode (model, ends, NULL, x, 2);
  free (x);
  for (long s = 0; s < steps; s++)
    {
      float t = (float) s / (float) (steps - 1);
      for (int j = 0; j < L; j++)
        codes[(size_t) s * L + j] = (1 - t) * ends[j] + t * ends[L + j];
    }
  ae_model_decode (model, images, codes, steps);
  if (lab_write_grid (out, images, steps, (int) steps, 1, c->channels, c->height, c->width, &err) != AE_OK)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s", err.message);
      goto out;
    }
  printf ("%s: %ld steps from sample %ld to sample %ld of %s\n", out, steps, from, to, ds->name);
  status = LAB_EXIT_OK;
out:
  free (ends);
  free (codes);
  free (images);
  ae_dataset_free (ds);
  ae_model_free (model);
  return status;
}

/* --- export-latent --------------------------------------------------------------------------- */

/* A growing text buffer, written atomically at the end. */
typedef struct {
  char *data;
  size_t len, cap;
  int failed;
} TextBuf;

static void
text_printf (TextBuf *b, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
text_printf (TextBuf *b, const char *fmt, ...)
{
  if (b->failed)
    return;
  for (;;)
    {
      va_list ap;
      va_start (ap, fmt);
      int n = vsnprintf (b->data ? b->data + b->len : NULL, b->data ? b->cap - b->len : 0, fmt, ap);
      va_end (ap);
      if (n < 0)
        {
          b->failed = 1;
          return;
        }
      if (b->data != NULL && b->len + (size_t) n < b->cap)
        {
          b->len += (size_t) n;
          return;
        }
      size_t cap = b->cap ? b->cap * 2 : 65536;
      while (cap < b->len + (size_t) n + 1)
        cap *= 2;
      char *bigger = realloc (b->data, cap);
      if (bigger == NULL)
        {
          b->failed = 1;
          return;
        }
      b->data = bigger;
      b->cap = cap;
    }
}

static AeStatus
text_write (TextBuf *b, const char *dir, const char *name, AeError *err)
{
  char path[4096];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  if (b->failed)
    return ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", path);
  return ae_file_write_atomic (path, b->data ? b->data : "", b->len, err);
}

/* The files of one embedding set: written together into a temporary folder beside the
 * destination, then moved in, so that a failure half-way (a full disk, a folder in the way)
 * never leaves new vectors beside an old sprite. */
static const char *const SET_FILES[] = { "vectors.tsv", "metadata.tsv", "projector_config.pbtxt",
                                         "sprite.png" };
#define N_SET_FILES ((int) (sizeof SET_FILES / sizeof SET_FILES[0]))

static void
set_path (char *out, size_t size, const char *dir, const char *name)
{
  snprintf (out, size, "%s/%s", dir, name);
}

/* Removes the set's files from a temporary folder, then the folder. */
static void
set_discard (const char *tmp)
{
  char p[4096];
  for (int i = 0; i < N_SET_FILES; i++)
    {
      set_path (p, sizeof p, tmp, SET_FILES[i]);
      unlink (p);
    }
  rmdir (tmp);
}

/* Moves the set written in tmp into dir. A missing or empty dir is replaced by tmp in one
 * rename; into a folder that holds other files, every destination is checked first and the
 * files are renamed one by one (renames in one folder do not fail for want of space), and an
 * old sprite without a new one is removed. */
static AeStatus
set_move_in (const char *tmp, const char *dir, AeError *err)
{
  struct stat st;
  /* A symbolic link to a folder stays: the set goes into the folder it points to. */
  int is_link = lstat (dir, &st) == 0 && S_ISLNK (st.st_mode);
  if (!is_link && rename (tmp, dir) == 0)
    return AE_OK;
  if (!is_link && errno != ENOTEMPTY && errno != EEXIST)
    return ae_error_set (err, AE_ERR_IO, "%s: cannot move the set into place: %s", dir, strerror (errno));
  char from[4096], to[4096];
  for (int i = 0; i < N_SET_FILES; i++)
    {
      set_path (from, sizeof from, tmp, SET_FILES[i]);
      set_path (to, sizeof to, dir, SET_FILES[i]);
      if (access (from, F_OK) == 0 && ae_file_check_writable (to, err) != AE_OK)
        return AE_ERR_IO;
    }
  for (int i = 0; i < N_SET_FILES; i++)
    {
      set_path (from, sizeof from, tmp, SET_FILES[i]);
      set_path (to, sizeof to, dir, SET_FILES[i]);
      if (access (from, F_OK) != 0)
        unlink (to);
      else if (rename (from, to) != 0)
        return ae_error_set (err, AE_ERR_IO, "%s: rename failed: %s", to, strerror (errno));
    }
  return AE_OK;
}

/* A class name fit for one TSV field. */
static void
tsv_field (TextBuf *b, const char *s)
{
  for (; *s; s++)
    text_printf (b, "%c", *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

int
lab_cli_export_latent (LabArgs *args)
{
  const char *path = args->positional[0];
  const char *spec = lab_args_get (args, "data"), *dir = lab_args_get (args, "out");
  const char *split = lab_args_get (args, "split");
  if (spec == NULL || dir == NULL)
    return lab_fail (args, LAB_EXIT_USAGE, "--data D and --out DIR are required");
  if (split == NULL)
    split = "test";
  if (strcmp (split, "test") != 0 && strcmp (split, "train") != 0 && strcmp (split, "all") != 0)
    return lab_fail (args, LAB_EXIT_USAGE, "--split '%s': expected test, train or all", split);
  AeModel *model = NULL;
  int status = lab_load_model (args, path, &model);
  if (status != LAB_EXIT_OK)
    return status;
  AeDataset *ds = NULL;
  float *owned = NULL, *codes = NULL;
  uint32_t *all = NULL;
  TextBuf vectors = { 0 }, meta = { 0 }, config = { 0 };
  AeError err = { 0 };
  char tmp[4096] = "";
  if ((status = lab_load_model_data (args, spec, model, &ds)) != LAB_EXIT_OK)
    goto out;
  status = LAB_EXIT_FAILURE;
  const uint32_t *idx;
  long n;
  if (strcmp (split, "test") == 0)
    {
      idx = ae_dataset_test (ds);
      n = ds->n_test;
    }
  else if (strcmp (split, "train") == 0)
    {
      idx = ae_dataset_train (ds);
      n = ds->n_train;
    }
  else
    {
      all = malloc ((size_t) ds->n * sizeof (uint32_t));
      if (all != NULL)
        for (long i = 0; i < ds->n; i++)
          all[i] = (uint32_t) i;
      idx = all;
      n = ds->n;
    }
  if (n <= 0)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s: the %s split is empty", ds->name, split);
      goto out;
    }
  int images = ds->kind == AE_DATA_IMAGES;
  int per_row = (int) ceil (sqrt ((double) n));
  int side = ds->height > ds->width ? ds->height : ds->width;
  if (images && (long) per_row * side > SPRITE_MAX_SIDE)
    {
      status = lab_fail (args, LAB_EXIT_USAGE, "%ld images do not fit in one %d-pixel sprite; choose "
                         "a smaller --split", n, SPRITE_MAX_SIDE);
      goto out;
    }
  int L = ae_model_latent_dim (model);
  const float *x = idx != NULL ? ae_dataset_rows (ds, idx, n, &owned) : NULL;
  codes = malloc ((size_t) n * (size_t) L * sizeof (float));
  if (x == NULL || codes == NULL)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "out of memory for %ld samples", n);
      goto out;
    }
  ae_model_encode (model, codes, NULL, x, n);
  struct stat dir_st;
  if (stat (dir, &dir_st) == 0 && !S_ISDIR (dir_st.st_mode))
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s: not a folder", dir);
      goto out;
    }
  size_t dir_len = strlen (dir);
  while (dir_len > 1 && dir[dir_len - 1] == '/')
    dir_len--;
  snprintf (tmp, sizeof tmp, "%.*s.tmp-%ld", (int) dir_len, dir, (long) getpid ());
  if (mkdir (tmp, 0777) != 0)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s: cannot create a temporary folder beside it: %s", dir,
                strerror (errno));
      tmp[0] = '\0';
      goto out;
    }
  for (long i = 0; i < n; i++)
    for (int j = 0; j < L; j++)
      text_printf (&vectors, "%.6g%c", (double) codes[(size_t) i * L + j], j + 1 < L ? '\t' : '\n');
  /* The projector reads a header only when there are several columns. */
  text_printf (&meta, "index\tlabel%s\n", ds->class_names ? "\tclass" : "");
  for (long i = 0; i < n; i++)
    {
      int label = ds->labels ? ds->labels[idx[i]] : -1;
      text_printf (&meta, "%u\t", idx[i]);
      if (label >= 0)
        text_printf (&meta, "%d", label);
      if (ds->class_names)
        {
          text_printf (&meta, "\t");
          if (label >= 0 && label < ds->n_classes)
            tsv_field (&meta, ds->class_names[label]);
        }
      text_printf (&meta, "\n");
    }
  text_printf (&config, "embeddings {\n  tensor_path: \"vectors.tsv\"\n  metadata_path: \"metadata.tsv\"\n");
  if (images)
    text_printf (&config, "  sprite {\n    image_path: \"sprite.png\"\n    single_image_dim: %d\n"
                 "    single_image_dim: %d\n  }\n", ds->width, ds->height);
  text_printf (&config, "}\n");
  char sprite[4096];
  set_path (sprite, sizeof sprite, tmp, "sprite.png");
  if (text_write (&vectors, tmp, "vectors.tsv", &err) != AE_OK
      || text_write (&meta, tmp, "metadata.tsv", &err) != AE_OK
      || text_write (&config, tmp, "projector_config.pbtxt", &err) != AE_OK
      || (images && lab_write_grid (sprite, x, n, per_row, 0, ds->channels, ds->height, ds->width, &err) != AE_OK)
      || set_move_in (tmp, dir, &err) != AE_OK)
    {
      lab_fail (args, LAB_EXIT_FAILURE, "%s (%s is unchanged)", err.message, dir);
      goto out;
    }
  printf ("%s: codes of the %ld %s samples of %s (%d values each)%s\n", dir, n, split, ds->name, L,
          images ? ", with a sprite" : "");
  status = LAB_EXIT_OK;
out:
  if (tmp[0] != '\0')
    set_discard (tmp);
  free (vectors.data);
  free (meta.data);
  free (config.data);
  free (owned);
  free (codes);
  free (all);
  ae_dataset_free (ds);
  ae_model_free (model);
  return status;
}

/* --- export ---------------------------------------------------------------------------------- */

int
lab_cli_export (LabArgs *args)
{
  const char *path = args->positional[0];
  const char *format = lab_args_get (args, "format"), *out = lab_args_get (args, "out");
  if (out == NULL)
    return lab_fail (args, LAB_EXIT_USAGE, "--out OUT.safetensors is required");
  if (format == NULL)
    format = "safetensors";
  if (strcmp (format, "safetensors") != 0)
    return lab_fail (args, LAB_EXIT_USAGE, "--format '%s': expected safetensors", format);
  AeModel *model = NULL;
  int status = lab_load_model_writing (args, path, "out", out, &model);
  if (status != LAB_EXIT_OK)
    return status;
  AeError err = { 0 };
  if (ae_model_export_safetensors (model, out, &err) != AE_OK)
    status = lab_fail (args, LAB_EXIT_FAILURE, "%s", err.message);
  else
    printf ("%s: %zu parameters as safetensors\n", out, ae_model_n_params (model));
  ae_model_free (model);
  return status;
}

/* --- import ---------------------------------------------------------------------------------- */

int
lab_cli_import (LabArgs *args)
{
  const char *path = args->positional[0];
  const char *save = lab_args_get (args, "save");
  if (save == NULL)
    return lab_fail (args, LAB_EXIT_USAGE, "--save MODEL is required");
  int status = lab_check_writable (args, "save", save);
  if (status != LAB_EXIT_OK)
    return status;
  AeModel *model = NULL;
  AeError err = { 0 };
  if (ae_model_import_safetensors (&model, path, &err) != AE_OK
      || ae_model_save (model, save, &err) != AE_OK)
    status = lab_fail (args, LAB_EXIT_FAILURE, "%s", err.message);
  else
    printf ("%s: %s model of %zu parameters from %s\n", save, ae_model_config (model)->preset,
            ae_model_n_params (model), path);
  ae_model_free (model);
  return status;
}
