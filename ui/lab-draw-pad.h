/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-draw-pad.h: a square to draw in beside the model's reconstruction of the drawing (the
 * Latent view's "Draw to encode"): grey with a white pen, or in colour with a chosen pen
 * colour when the data have three channels. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LAB_TYPE_DRAW_PAD (lab_draw_pad_get_type ())

G_DECLARE_FINAL_TYPE (LabDrawPad, lab_draw_pad, LAB, DRAW_PAD, GtkWidget)

GtkWidget   *lab_draw_pad_new                (void);
/* The images drawn: channels 3 draws in colour, any other count in grey; width 0 for data
 * that are no images. A new shape wipes the drawing. */
void         lab_draw_pad_set_shape          (LabDrawPad *self, int channels, int width, int height);
/* Whether the pad draws in colour (three planes), and whether anything is drawn. */
gboolean     lab_draw_pad_get_colour         (LabDrawPad *self);
gboolean     lab_draw_pad_has_drawing        (LabDrawPad *self);
/* The drawing as a sample of `channels` planes: a colour drawing's three planes, or the
 * grey plane in each. */
void         lab_draw_pad_copy_sample        (LabDrawPad *self, float *out, int channels);
/* Replaces the drawing: three planes in colour, one in grey. */
void         lab_draw_pad_set_drawing        (LabDrawPad *self, const float *pixels);
/* Paints a soft round dot at (x, y) in image pixels with the pen, as a drag does. */
void         lab_draw_pad_paint              (LabDrawPad *self, double x, double y);
/* The pen's colour (white unless chosen; a grey pad always draws white). */
void         lab_draw_pad_set_pen            (LabDrawPad *self, const GdkRGBA *colour);
/* The model's reconstruction, a sample of `channels` planes, beside the drawing. */
void         lab_draw_pad_show_reconstruction (LabDrawPad *self, const float *sample, int channels);
void         lab_draw_pad_set_caption        (LabDrawPad *self, const char *text);
GtkLabel    *lab_draw_pad_get_caption_label  (LabDrawPad *self);

G_END_DECLS
