/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-bce-simd.h: the BCE of one row on vectors of one width, included by ae-layers.c once
 * per width (AVX2, AVX-512) so that both run the same operations in the same order.
 *
 * The includer defines:
 *   SIMD_TARGET       the function attribute that enables the instructions
 *   SIMD_FN(name)     the name of this width's copy of a function
 *   VF, VI, VD        vectors of floats, ints and (half as many) doubles
 *   OP(name)          the intrinsic of that width, as OP(add_ps)
 *   SIMD_CAST_INT(i)  the ints' bits as floats
 *   SIMD_ABS(x)       |x|, by clearing the sign bit
 *   SIMD_ONE_IF_GT(a, b)          1.0f where a > b, else 0.0f
 *   SIMD_SELECT_GE(a, b, yes, no) yes where a >= b, else no
 *   SIMD_ADD_DOUBLES(acc, x)      the floats of x added, in order of eight, into the
 *                                 accumulators acc (which hold eight doubles)
 *   SIMD_ACC                      the type of acc
 * which this file undefines at its end. */

#define SIMD_LANES ((int) (sizeof (VF) / sizeof (float)))

/* exp(x) for x in [-87, 0] and log(u) for u in [1, 2], a vector at a time: the Cephes
 * polynomials (about 1 ulp), because libm's scalar calls were a tenth of a training step. */
SIMD_TARGET static inline VF
SIMD_FN (exp_neg) (VF x)
{
  x = OP (max_ps) (x, OP (set1_ps) (-87.0f));
  VI n = OP (cvtps_epi32) (OP (mul_ps) (x, OP (set1_ps) (1.44269504089f)));
  VF nf = OP (cvtepi32_ps) (n);
  x = OP (sub_ps) (x, OP (mul_ps) (nf, OP (set1_ps) (0.693359375f)));
  x = OP (sub_ps) (x, OP (mul_ps) (nf, OP (set1_ps) (-2.12194440e-4f)));
  VF y = OP (set1_ps) (1.9875691500e-4f);
  y = OP (add_ps) (OP (mul_ps) (y, x), OP (set1_ps) (1.3981999507e-3f));
  y = OP (add_ps) (OP (mul_ps) (y, x), OP (set1_ps) (8.3334519073e-3f));
  y = OP (add_ps) (OP (mul_ps) (y, x), OP (set1_ps) (4.1665795894e-2f));
  y = OP (add_ps) (OP (mul_ps) (y, x), OP (set1_ps) (1.6666665459e-1f));
  y = OP (add_ps) (OP (mul_ps) (y, x), OP (set1_ps) (5.0000001201e-1f));
  y = OP (add_ps) (OP (add_ps) (OP (mul_ps) (OP (mul_ps) (y, x), x), x), OP (set1_ps) (1.0f));
  VF scale = SIMD_CAST_INT (OP (slli_epi32) (OP (add_epi32) (n, OP (set1_epi32) (127)), 23));
  return OP (mul_ps) (y, scale);
}

SIMD_TARGET static inline VF
SIMD_FN (log_1_2) (VF u)
{
  /* u = m 2^k with m in [sqrt(1/2), sqrt(2)): k is 0 or 1 here. */
  VF k = SIMD_ONE_IF_GT (u, OP (set1_ps) (1.41421356237f));
  VF m = OP (mul_ps) (u, OP (sub_ps) (OP (set1_ps) (1.0f), OP (mul_ps) (k, OP (set1_ps) (0.5f))));
  VF x = OP (sub_ps) (m, OP (set1_ps) (1.0f));
  VF z = OP (mul_ps) (x, x);
  VF y = OP (set1_ps) (7.0376836292e-2f);
  y = OP (add_ps) (OP (mul_ps) (y, x), OP (set1_ps) (-1.1514610310e-1f));
  y = OP (add_ps) (OP (mul_ps) (y, x), OP (set1_ps) (1.1676998740e-1f));
  y = OP (add_ps) (OP (mul_ps) (y, x), OP (set1_ps) (-1.2420140846e-1f));
  y = OP (add_ps) (OP (mul_ps) (y, x), OP (set1_ps) (1.4249322787e-1f));
  y = OP (add_ps) (OP (mul_ps) (y, x), OP (set1_ps) (-1.6668057665e-1f));
  y = OP (add_ps) (OP (mul_ps) (y, x), OP (set1_ps) (2.0000714765e-1f));
  y = OP (add_ps) (OP (mul_ps) (y, x), OP (set1_ps) (-2.4999993993e-1f));
  y = OP (add_ps) (OP (mul_ps) (y, x), OP (set1_ps) (3.3333331174e-1f));
  y = OP (mul_ps) (OP (mul_ps) (y, x), z);
  y = OP (add_ps) (y, OP (mul_ps) (k, OP (set1_ps) (-2.12194440e-4f)));
  y = OP (sub_ps) (y, OP (mul_ps) (z, OP (set1_ps) (0.5f)));
  return OP (add_ps) (OP (add_ps) (x, y), OP (mul_ps) (k, OP (set1_ps) (0.693359375f)));
}

/* The BCE of one row, a vector at a time; adds the loss into *sum (accumulated in double,
 * so that small changes of the loss survive for gradient checks) and returns how many
 * values it did (a multiple of the lanes). The doubles add the values in groups of eight
 * in the order of the row, whatever the width, so that both widths give the same sum. */
SIMD_TARGET static int
SIMD_FN (bce_row) (float *dz, double *sum, const float *z, const float *x, int D, float scale)
{
  const VF zero = OP (setzero_ps) (), one = OP (set1_ps) (1.0f), vscale = OP (set1_ps) (scale);
  SIMD_ACC acc;
  memset (&acc, 0, sizeof acc);
  int j = 0;
  for (; j + SIMD_LANES <= D; j += SIMD_LANES)
    {
      VF zj = OP (loadu_ps) (z + j), xj = OP (loadu_ps) (x + j);
      VF e = SIMD_FN (exp_neg) (OP (sub_ps) (zero, SIMD_ABS (zj)));
      VF onep = OP (add_ps) (one, e);
      VF loss = OP (add_ps) (OP (sub_ps) (OP (max_ps) (zj, zero), OP (mul_ps) (zj, xj)),
                             SIMD_FN (log_1_2) (onep));
      SIMD_ADD_DOUBLES (acc, loss);
      if (dz != NULL)
        {
          VF inv = OP (div_ps) (one, onep);
          VF p = SIMD_SELECT_GE (zj, zero, inv, OP (mul_ps) (e, inv));
          OP (storeu_ps) (dz + j, OP (mul_ps) (vscale, OP (sub_ps) (p, xj)));
        }
    }
  double parts[8];
  memcpy (parts, &acc, sizeof parts);
  *sum += ((parts[0] + parts[4]) + (parts[1] + parts[5])) + ((parts[2] + parts[6]) + (parts[3] + parts[7]));
  return j;
}

#undef SIMD_LANES
#undef SIMD_TARGET
#undef SIMD_FN
#undef VF
#undef VI
#undef OP
#undef SIMD_CAST_INT
#undef SIMD_ABS
#undef SIMD_ONE_IF_GT
#undef SIMD_SELECT_GE
#undef SIMD_ACC
#undef SIMD_ADD_DOUBLES
