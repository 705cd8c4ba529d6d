/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-shapes.h: `shapes`, a built-in colour dataset drawn procedurally: 32 x 32 RGB images
 * of one anti-aliased shape (square, circle, triangle or heart) on black, each drawn from
 * six known factors, so that a code can be scored on how it separates them. The same seed
 * gives the same bytes. */
#pragma once

#include <stdint.h>

#include "ae-dataset.h"
#include "ae-status.h"

#define AE_SHAPES_SIDE 32
#define AE_SHAPES_DEFAULT_N 12000
#define AE_SHAPES_N_TEST 2000

typedef enum {
  AE_SHAPE_SQUARE,
  AE_SHAPE_CIRCLE,
  AE_SHAPE_TRIANGLE,
  AE_SHAPE_HEART,
  AE_SHAPES_N_KINDS
} AeShapeKind;

/* The factors, in the order of a sample's row of ds->factors. */
typedef enum {
  AE_SHAPES_FACTOR_SHAPE,    /* AeShapeKind, also the label */
  AE_SHAPES_FACTOR_HUE,      /* degrees, 0 (red) to 300 (magenta); full saturation and value */
  AE_SHAPES_FACTOR_SIZE,     /* pixels: the radius of the circle the shape fits in */
  AE_SHAPES_FACTOR_X,        /* 0 (left) to 1 (right) of the room the shape leaves */
  AE_SHAPES_FACTOR_Y,        /* 0 (top) to 1 (bottom) */
  AE_SHAPES_FACTOR_ROTATION, /* degrees, anticlockwise; below every shape's symmetry */
  AE_SHAPES_N_FACTORS
} AeShapesFactor;

extern const AeFactor ae_shapes_factors[AE_SHAPES_N_FACTORS];

/* The area of a kind of shape drawn with radius 1 (in pixels squared per pixel squared of
 * radius): what a drawing of radius r covers is about this times r * r. */
double ae_shapes_unit_area (AeShapeKind kind);

/* n samples, factors drawn uniformly and independently, labelled by shape. The split is
 * fixed: the last n_test samples are the test set (validation the last 10% of the rest). */
AeStatus ae_shapes_generate (AeDataset **out, long n, long n_test, uint64_t seed, AeError *err);
