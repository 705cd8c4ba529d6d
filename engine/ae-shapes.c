/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-shapes.c: the `shapes` dataset, drawn with signed distances so that edges are
 * anti-aliased: a pixel's coverage is its centre's distance to the edge, clamped to one
 * pixel's width. */
#include "ae-shapes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ae-rng.h"

#define SHAPES_VAL_FRACTION 0.1
#define SHAPES_SATURATION 0.9f
#define PI_F 3.14159265358979f

/* Rotations stay within +-40 degrees: below a square's 90 and a triangle's 120 degrees of
 * symmetry, so that two different values never draw the same image (but for a circle). */
const AeFactor ae_shapes_factors[AE_SHAPES_N_FACTORS] = {
  { "shape", "shape", "", 0.0f, (float) (AE_SHAPES_N_KINDS - 1), AE_SHAPES_N_KINDS },
  { "hue", "hue", "degrees", 0.0f, 300.0f, 0 },
  { "size", "size", "px", 5.0f, 10.0f, 0 },
  { "x", "x position", "", 0.0f, 1.0f, 0 },
  { "y", "y position", "", 0.0f, 1.0f, 0 },
  { "rotation", "rotation", "degrees", -40.0f, 40.0f, 0 },
};

static const char *const shape_names[AE_SHAPES_N_KINDS] = { "square", "circle", "triangle", "heart" };

/* In units of the radius: the circle's own radius, and the heart's square (standing on a
 * corner) of side HEART_SIDE with two half discs on its upper sides. */
#define CIRCLE_RADIUS 0.9f
#define HEART_SIDE 0.95f

typedef struct {
  float x, y;
} Vec;

static float
segment_distance (Vec p, Vec a, Vec b)
{
  float ex = b.x - a.x, ey = b.y - a.y;
  float t = ((p.x - a.x) * ex + (p.y - a.y) * ey) / (ex * ex + ey * ey);
  t = t < 0.0f ? 0.0f : t > 1.0f ? 1.0f : t;
  return hypotf (p.x - a.x - t * ex, p.y - a.y - t * ey);
}

/* Signed distance to a convex polygon whose n vertices go anticlockwise. */
static float
polygon_distance (Vec p, const Vec *v, int n)
{
  float inside = -INFINITY, outside = INFINITY;
  int is_inside = 1;
  for (int i = 0; i < n; i++)
    {
      Vec a = v[i], b = v[(i + 1) % n];
      float ex = b.x - a.x, ey = b.y - a.y, len = hypotf (ex, ey);
      float h = ((p.x - a.x) * ey - (p.y - a.y) * ex) / len; /* > 0 on the outer side */
      if (h > 0.0f)
        is_inside = 0;
      inside = fmaxf (inside, h);
      outside = fminf (outside, segment_distance (p, a, b));
    }
  return is_inside ? inside : outside;
}

static void
regular_polygon (Vec *v, int n, float first_degrees)
{
  for (int i = 0; i < n; i++)
    {
      float a = (first_degrees + 360.0f * (float) i / (float) n) * PI_F / 180.0f;
      v[i] = (Vec) { cosf (a), sinf (a) };
    }
}

/* The heart's square is lowered so that the drawing is centred from its point to the tops
 * of its discs. */
static float
heart_distance (Vec p)
{
  const float h = HEART_SIDE / sqrtf (2.0f), top = h / 2.0f + HEART_SIDE / 2.0f;
  const float shift = (top - h) / 2.0f;
  Vec square[4] = { { 0.0f, -h - shift }, { h, -shift }, { 0.0f, h - shift }, { -h, -shift } };
  float d = polygon_distance (p, square, 4);
  for (int side = -1; side <= 1; side += 2)
    d = fminf (d, hypotf (p.x - side * h / 2.0f, p.y - (h / 2.0f - shift)) - HEART_SIDE / 2.0f);
  return d;
}

/* Signed distance from q (in units of the radius, y up) to the edge of a shape. */
static float
shape_distance (AeShapeKind kind, Vec q)
{
  Vec v[4];
  switch (kind)
    {
    case AE_SHAPE_SQUARE:
      regular_polygon (v, 4, 45.0f);
      return polygon_distance (q, v, 4);
    case AE_SHAPE_CIRCLE:
      return hypotf (q.x, q.y) - CIRCLE_RADIUS;
    case AE_SHAPE_TRIANGLE:
      regular_polygon (v, 3, 90.0f);
      return polygon_distance (q, v, 3);
    case AE_SHAPE_HEART:
    case AE_SHAPES_N_KINDS:
    default:
      return heart_distance (q);
    }
}

double
ae_shapes_unit_area (AeShapeKind kind)
{
  switch (kind)
    {
    case AE_SHAPE_SQUARE:
      return 2.0;
    case AE_SHAPE_CIRCLE:
      return M_PI * CIRCLE_RADIUS * CIRCLE_RADIUS;
    case AE_SHAPE_TRIANGLE:
      return 3.0 * sqrt (3.0) / 4.0;
    case AE_SHAPE_HEART:
    case AE_SHAPES_N_KINDS:
    default:
      return HEART_SIDE * HEART_SIDE * (1.0 + M_PI / 4.0);
    }
}

static void
hue_to_rgb (float degrees, float rgb[3])
{
  float h = degrees / 60.0f, c = SHAPES_SATURATION;
  float x = c * (1.0f - fabsf (fmodf (h, 2.0f) - 1.0f)), m = 1.0f - c;
  int sector = (int) h % 6;
  float r[6] = { c, x, 0, 0, x, c }, g[6] = { x, c, c, x, 0, 0 }, b[6] = { 0, 0, x, c, c, x };
  rgb[0] = r[sector] + m;
  rgb[1] = g[sector] + m;
  rgb[2] = b[sector] + m;
}

/* Draws one sample (3 planes of side x side) from its factors. */
static void
draw_shape (float *x, const float *f)
{
  const int side = AE_SHAPES_SIDE, plane = side * side;
  float r = f[AE_SHAPES_FACTOR_SIZE], room = (float) side - 2.0f * r - 2.0f;
  float cx = r + 1.0f + f[AE_SHAPES_FACTOR_X] * room, cy = r + 1.0f + f[AE_SHAPES_FACTOR_Y] * room;
  float angle = f[AE_SHAPES_FACTOR_ROTATION] * PI_F / 180.0f, c = cosf (angle), s = sinf (angle);
  float rgb[3];
  hue_to_rgb (f[AE_SHAPES_FACTOR_HUE], rgb);
  AeShapeKind kind = (AeShapeKind) f[AE_SHAPES_FACTOR_SHAPE];
  /* Only the pixels within a radius (and the one-pixel edge) of the centre can be covered. */
  int x0 = (int) floorf (cx - r - 1.0f), x1 = (int) ceilf (cx + r + 1.0f);
  int y0 = (int) floorf (cy - r - 1.0f), y1 = (int) ceilf (cy + r + 1.0f);
  for (int py = y0 < 0 ? 0 : y0; py < (y1 > side ? side : y1); py++)
    for (int px = x0 < 0 ? 0 : x0; px < (x1 > side ? side : x1); px++)
      {
        float dx = (float) px + 0.5f - cx, dy = cy - ((float) py + 0.5f);
        /* Undo the rotation: q is the pixel in the shape's own frame. */
        Vec q = { (c * dx + s * dy) / r, (-s * dx + c * dy) / r };
        float coverage = 0.5f - shape_distance (kind, q) * r;
        coverage = coverage < 0.0f ? 0.0f : coverage > 1.0f ? 1.0f : coverage;
        for (int ch = 0; ch < 3; ch++)
          x[ch * plane + py * side + px] = coverage * rgb[ch];
      }
}

AeStatus
ae_shapes_generate (AeDataset **out, long n, long n_test, uint64_t seed, AeError *err)
{
  AeStatus status = ae_dataset_new (out, n, 3, AE_SHAPES_SIDE, AE_SHAPES_SIDE, AE_SHAPES_N_KINDS, err);
  if (status != AE_OK)
    return ae_error_prefix (err, "shapes");
  AeDataset *ds = *out;
  ds->factors = malloc ((size_t) n * AE_SHAPES_N_FACTORS * sizeof (float));
  if (ds->factors == NULL)
    {
      ae_dataset_free (ds);
      *out = NULL;
      return ae_error_set (err, AE_ERR_NOMEM, "shapes: out of memory for the factors of %ld images", n);
    }
  ds->n_factors = AE_SHAPES_N_FACTORS;
  ds->factor_info = ae_shapes_factors;
  snprintf (ds->name, sizeof ds->name, "shapes");
  snprintf (ds->source, sizeof ds->source, "built-in");
  for (int k = 0; k < AE_SHAPES_N_KINDS; k++)
    snprintf (ds->class_names[k], AE_CLASS_NAME_MAX, "%s", shape_names[k]);
  AeRng rng;
  ae_rng_seed (&rng, seed ^ 0x5a4e5u);
  for (long i = 0; i < n; i++)
    {
      float *f = ds->factors + (size_t) i * AE_SHAPES_N_FACTORS;
      int kind = (int) ae_rng_below (&rng, AE_SHAPES_N_KINDS);
      f[AE_SHAPES_FACTOR_SHAPE] = (float) kind;
      for (int k = AE_SHAPES_FACTOR_HUE; k < AE_SHAPES_N_FACTORS; k++)
        {
          const AeFactor *info = &ae_shapes_factors[k];
          f[k] = info->min + (info->max - info->min) * ae_rng_uniform (&rng);
        }
      ds->labels[i] = kind;
      draw_shape (ds->x + (size_t) i * ds->dim, f);
    }
  ae_dataset_split_fixed (ds, n_test, SHAPES_VAL_FRACTION);
  return AE_OK;
}
