/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The built-in `shapes`: determinism by seed, factors within their ranges, drawings that
 * match their labels and factors, and loading by name like every built-in. */
#include "io-test-util.h"

#include <math.h>

#include "ae-shapes.h"

#define N 1200
#define PLANE (AE_SHAPES_SIDE * AE_SHAPES_SIDE)

static void
test_deterministic (void)
{
  AeDataset *a = NULL, *b = NULL, *c = NULL;
  AeError err = { 0 };
  CHECK (ae_shapes_generate (&a, N, 200, 5, &err) == AE_OK, "%s", err.message);
  CHECK (ae_shapes_generate (&b, N, 200, 5, &err) == AE_OK, "%s", err.message);
  CHECK (ae_shapes_generate (&c, N, 200, 6, &err) == AE_OK, "%s", err.message);
  if (a == NULL || b == NULL || c == NULL)
    return;
  size_t bytes = (size_t) N * a->dim * sizeof (float);
  size_t factor_bytes = (size_t) N * AE_SHAPES_N_FACTORS * sizeof (float);
  CHECK (memcmp (a->x, b->x, bytes) == 0 && memcmp (a->factors, b->factors, factor_bytes) == 0
           && memcmp (a->labels, b->labels, N * sizeof (int)) == 0,
         "same seed, other data");
  CHECK (memcmp (a->x, c->x, bytes) != 0 && memcmp (a->factors, c->factors, factor_bytes) != 0,
         "other seed, same data");
  ae_dataset_free (a);
  ae_dataset_free (b);
  ae_dataset_free (c);
}

static void
test_factors_in_range (void)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (ae_shapes_generate (&ds, N, 200, 1, &err) == AE_OK, "%s", err.message);
  if (ds == NULL)
    return;
  CHECK (ds->n_factors == AE_SHAPES_N_FACTORS && ds->factor_info == ae_shapes_factors, "factors");
  long per_kind[AE_SHAPES_N_KINDS] = { 0 };
  float lo[AE_SHAPES_N_FACTORS], hi[AE_SHAPES_N_FACTORS];
  for (int k = 0; k < AE_SHAPES_N_FACTORS; k++)
    lo[k] = INFINITY, hi[k] = -INFINITY;
  long outside = 0, mislabelled = 0;
  for (long i = 0; i < N; i++)
    {
      const float *f = ds->factors + i * AE_SHAPES_N_FACTORS;
      for (int k = 0; k < AE_SHAPES_N_FACTORS; k++)
        {
          const AeFactor *info = &ae_shapes_factors[k];
          outside += !(f[k] >= info->min && f[k] <= info->max);
          if (info->levels > 0)
            outside += f[k] != floorf (f[k]);
          lo[k] = fminf (lo[k], f[k]);
          hi[k] = fmaxf (hi[k], f[k]);
        }
      mislabelled += ds->labels[i] != (int) f[AE_SHAPES_FACTOR_SHAPE];
      if (ds->labels[i] >= 0 && ds->labels[i] < AE_SHAPES_N_KINDS)
        per_kind[ds->labels[i]]++;
    }
  CHECK (outside == 0, "%ld factor values outside their ranges", outside);
  CHECK (mislabelled == 0, "%ld labels differ from the shape factor", mislabelled);
  for (int k = 0; k < AE_SHAPES_N_KINDS; k++)
    CHECK (per_kind[k] > N / 8, "kind %d: %ld samples", k, per_kind[k]);
  /* Uniform draws fill their ranges: within 2% of either end. */
  for (int k = AE_SHAPES_FACTOR_HUE; k < AE_SHAPES_N_FACTORS; k++)
    {
      float span = ae_shapes_factors[k].max - ae_shapes_factors[k].min;
      CHECK (lo[k] < ae_shapes_factors[k].min + 0.02f * span && hi[k] > ae_shapes_factors[k].max - 0.02f * span,
             "%s drawn within [%g, %g]", ae_shapes_factors[k].name, lo[k], hi[k]);
    }
  size_t outside_pixels = 0;
  for (size_t i = 0; i < (size_t) N * ds->dim; i++)
    outside_pixels += !(ds->x[i] >= 0.0f && ds->x[i] <= 1.0f);
  CHECK (outside_pixels == 0, "%zu pixel values outside [0, 1]", outside_pixels);
  ae_dataset_free (ds);
}

static double
hue_of (const float rgb[3])
{
  float mx = fmaxf (rgb[0], fmaxf (rgb[1], rgb[2])), mn = fminf (rgb[0], fminf (rgb[1], rgb[2]));
  double d = mx - mn, h;
  if (mx == rgb[0])
    h = fmod ((rgb[1] - rgb[2]) / d + 6.0, 6.0);
  else if (mx == rgb[1])
    h = (rgb[2] - rgb[0]) / d + 2.0;
  else
    h = (rgb[0] - rgb[1]) / d + 4.0;
  return 60.0 * h;
}

/* Each drawing, measured from its pixels alone: its covered area over the size squared
 * tells the four shapes apart (triangle 1.30, heart 1.61, square 2.00, circle 2.54); the
 * centroid of a square, circle or triangle is where x and y put it, whatever the rotation;
 * its fully covered pixels have the hue of its factor. */
static void
test_drawings_match_factors (void)
{
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (ae_shapes_generate (&ds, N, 200, 2, &err) == AE_OK, "%s", err.message);
  if (ds == NULL)
    return;
  long wrong_shape = 0, wrong_place = 0, wrong_hue = 0;
  double worst_place = 0, worst_hue = 0;
  for (long i = 0; i < N; i++)
    {
      const float *x = ae_dataset_sample (ds, i), *f = ds->factors + i * AE_SHAPES_N_FACTORS;
      double area = 0, mx = 0, my = 0;
      int solid = -1;
      for (int p = 0; p < PLANE; p++)
        {
          /* Full saturation's brightest channel is 1 where the shape covers the pixel. */
          double alpha = fmaxf (x[p], fmaxf (x[PLANE + p], x[2 * PLANE + p]));
          area += alpha;
          mx += alpha * (p % AE_SHAPES_SIDE + 0.5);
          my += alpha * (p / AE_SHAPES_SIDE + 0.5);
          if (alpha > 0.999 && solid < 0)
            solid = p;
        }
      double r = f[AE_SHAPES_FACTOR_SIZE], ratio = area / (r * r);
      int nearest = 0;
      for (int k = 1; k < AE_SHAPES_N_KINDS; k++)
        if (fabs (ratio - ae_shapes_unit_area (k)) < fabs (ratio - ae_shapes_unit_area (nearest)))
          nearest = k;
      wrong_shape += nearest != ds->labels[i];
      if (ds->labels[i] != AE_SHAPE_HEART)
        {
          double room = AE_SHAPES_SIDE - 2 * r - 2;
          double cx = r + 1 + f[AE_SHAPES_FACTOR_X] * room, cy = r + 1 + f[AE_SHAPES_FACTOR_Y] * room;
          double off = hypot (mx / area - cx, my / area - cy);
          worst_place = fmax (worst_place, off);
          wrong_place += off > 0.25;
        }
      if (solid >= 0)
        {
          float rgb[3] = { x[solid], x[PLANE + solid], x[2 * PLANE + solid] };
          double off = fabs (hue_of (rgb) - f[AE_SHAPES_FACTOR_HUE]);
          worst_hue = fmax (worst_hue, off);
          wrong_hue += off > 0.5;
        }
      else
        wrong_hue++;
    }
  CHECK (wrong_shape == 0, "%ld drawings whose area says another shape", wrong_shape);
  CHECK (wrong_place == 0, "%ld drawings off their position (worst %.3f px)", wrong_place, worst_place);
  CHECK (wrong_hue == 0, "%ld drawings of another hue (worst %.3f degrees)", wrong_hue, worst_hue);
  ae_dataset_free (ds);
}

/* Through ae_dataset_load by name, as the command line and the window load it. */
static void
test_loads_as_builtin (void)
{
  const AeBuiltinDataset *entry = ae_builtin_dataset_find ("shapes");
  CHECK (entry != NULL && entry->kind == AE_DATA_IMAGES && ae_builtin_dataset_available (entry),
         "shapes is not a built-in image dataset");
  AeDataset *ds = NULL;
  AeError err = { 0 };
  CHECK (ae_dataset_load (&ds, "shapes", 3, &err) == AE_OK, "%s", err.message);
  if (ds == NULL)
    return;
  CHECK (ds->n == AE_SHAPES_DEFAULT_N && ds->channels == 3 && ds->height == 32 && ds->width == 32,
         "%ld samples of %d x %d x %d", ds->n, ds->channels, ds->height, ds->width);
  CHECK (strcmp (ds->name, "shapes") == 0 && ds->kind == AE_DATA_IMAGES, "%s", ds->name);
  CHECK (ds->n_classes == AE_SHAPES_N_KINDS && strcmp (ds->class_names[AE_SHAPE_HEART], "heart") == 0,
         "class names");
  CHECK (ds->n_test == AE_SHAPES_N_TEST && ds->n_train + ds->n_val + ds->n_test == ds->n
           && ae_dataset_test (ds)[0] == (uint32_t) (ds->n - AE_SHAPES_N_TEST),
         "split %ld / %ld / %ld", ds->n_train, ds->n_val, ds->n_test);
  CHECK (ds->n_val == (long) ((ds->n - AE_SHAPES_N_TEST) * 0.1 + 0.5), "validation %ld", ds->n_val);
  CHECK (ds->factors != NULL && ds->n_factors == AE_SHAPES_N_FACTORS, "factors");

  /* A subset keeps each sample's factors. */
  uint32_t idx[3] = { 7, 2, 11000 };
  AeDataset *sub = NULL;
  CHECK (ae_dataset_subset (&sub, ds, idx, 3, &err) == AE_OK, "%s", err.message);
  if (sub != NULL)
    {
      CHECK (sub->factors != NULL && sub->n_factors == ds->n_factors, "subset without factors");
      for (int i = 0; i < 3 && sub->factors != NULL; i++)
        CHECK (memcmp (sub->factors + i * AE_SHAPES_N_FACTORS, ds->factors + idx[i] * AE_SHAPES_N_FACTORS,
                       AE_SHAPES_N_FACTORS * sizeof (float)) == 0,
               "subset row %d", i);
      ae_dataset_free (sub);
    }
  ae_dataset_free (ds);

  AeImageOptions grey = { 1, 0 };
  CHECK (ae_dataset_load_with (&ds, "shapes", &grey, 3, &err) == AE_ERR_INVALID && ds == NULL,
         "image options accepted for a built-in");
  CHECK (ae_shapes_generate (&ds, 0, 0, 1, &err) != AE_OK && ds == NULL, "zero images");
  CHECK (strstr (err.message, "shapes") != NULL, "%s", err.message);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/shapes/deterministic", test_deterministic },
    { "/shapes/factors-in-range", test_factors_in_range },
    { "/shapes/drawings-match-factors", test_drawings_match_factors },
    { "/shapes/loads-as-builtin", test_loads_as_builtin },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
