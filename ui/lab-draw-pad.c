/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-draw-pad.c: a square to draw in and the model's reconstruction beside it (lab-draw-pad.h).
 *
 * The pad holds the drawing and shows what it is given back; what the drawing is encoded
 * into is the owner's job, told by "changed" (the drawing changed) and "cleared".
 */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "lab-chart.h"
#include "lab-draw-pad.h"
#include "lab-plot.h"

/* a soft round pen, about as wide as an MNIST stroke */
#define LAB_PEN_RADIUS 1.4

struct _LabDrawPad {
  GtkWidget parent_instance;

  /* template widgets */
  GtkColorButton *pen_button;
  LabChart *chart;
  GtkLabel *caption;

  int planes, pixels;  /* planes of the drawing: 3 in colour, else 1 */
  float *images;       /* (2, planes, pixels): the drawing, then its reconstruction */
  gboolean has_drawing;
  LabImageRow row;
  LabImageGridData grid;
};

G_DEFINE_FINAL_TYPE (LabDrawPad, lab_draw_pad, GTK_TYPE_WIDGET)

enum { CHANGED, CLEARED, N_SIGNALS };
static guint signals[N_SIGNALS];

void
lab_draw_pad_set_shape (LabDrawPad *self, int channels, int width, int height)
{
  g_return_if_fail (LAB_IS_DRAW_PAD (self));

  self->planes = channels == 3 ? 3 : 1;
  self->pixels = width > 0 && height > 0 ? width * height : 0;
  self->images = g_renew (float, self->images, 2 * (gsize) self->planes * MAX (self->pixels, 1));
  memset (self->images, 0, sizeof (float) * 2 * self->planes * MAX (self->pixels, 1));
  self->has_drawing = FALSE;
  self->row = (LabImageRow) { .pixels = self->images, .n_images = 2,
                              .colormap = self->planes == 3 ? LAB_IMAGE_RGB : LAB_IMAGE_GREY };
  self->grid.rows = &self->row;
  self->grid.n_rows = self->pixels > 0 ? 1 : 0;
  self->grid.image_width = width;
  self->grid.image_height = height;
  gtk_widget_set_visible (GTK_WIDGET (self->pen_button), self->planes == 3 && self->pixels > 0);
  gtk_label_set_label (self->caption, _("Drag on the left square to draw"));
  lab_chart_redraw (self->chart);
}

gboolean
lab_draw_pad_get_colour (LabDrawPad *self)
{
  g_return_val_if_fail (LAB_IS_DRAW_PAD (self), FALSE);
  return self->planes == 3;
}

gboolean
lab_draw_pad_has_drawing (LabDrawPad *self)
{
  g_return_val_if_fail (LAB_IS_DRAW_PAD (self), FALSE);
  return self->has_drawing;
}

void
lab_draw_pad_copy_sample (LabDrawPad *self, float *out, int channels)
{
  g_return_if_fail (LAB_IS_DRAW_PAD (self) && out != NULL && self->pixels > 0);

  for (int c = 0; c < channels; c++)
    memcpy (out + (gsize) c * self->pixels,
            self->images + (gsize) (self->planes == channels ? c : 0) * self->pixels,
            sizeof (float) * self->pixels);
}

void
lab_draw_pad_set_drawing (LabDrawPad *self, const float *pixels)
{
  g_return_if_fail (LAB_IS_DRAW_PAD (self) && pixels != NULL && self->pixels > 0);

  memcpy (self->images, pixels, sizeof (float) * self->planes * self->pixels);
  self->has_drawing = TRUE;
  lab_chart_redraw (self->chart);
}

void
lab_draw_pad_set_pen (LabDrawPad *self, const GdkRGBA *colour)
{
  g_return_if_fail (LAB_IS_DRAW_PAD (self) && colour != NULL);
  gtk_color_chooser_set_rgba (GTK_COLOR_CHOOSER (self->pen_button), colour);
}

void
lab_draw_pad_paint (LabDrawPad *self, double x, double y)
{
  int w = self->grid.image_width, h = self->grid.image_height;
  GdkRGBA pen;
  float colour[3];

  g_return_if_fail (LAB_IS_DRAW_PAD (self));
  if (self->pixels == 0)
    return;
  gtk_color_chooser_get_rgba (GTK_COLOR_CHOOSER (self->pen_button), &pen);
  colour[0] = pen.red;
  colour[1] = pen.green;
  colour[2] = pen.blue;
  for (int iy = (int) floor (y - 2 * LAB_PEN_RADIUS); iy <= (int) ceil (y + 2 * LAB_PEN_RADIUS); iy++)
    for (int ix = (int) floor (x - 2 * LAB_PEN_RADIUS); ix <= (int) ceil (x + 2 * LAB_PEN_RADIUS); ix++)
      if (ix >= 0 && iy >= 0 && ix < w && iy < h)
        {
          double d = hypot (ix + 0.5 - x, iy + 0.5 - y);
          float ink = (float) CLAMP (1.5 - d / LAB_PEN_RADIUS, 0.0, 1.0);
          float *pixel = &self->images[(gsize) iy * w + ix];

          if (self->planes == 1)
            *pixel = MAX (*pixel, ink); /* white ink on black */
          else
            for (int c = 0; c < 3; c++)
              {
                /* the pen's colour laid over what is there, as thick as the ink */
                float *plane = pixel + (gsize) c * self->pixels;

                *plane += (colour[c] - *plane) * ink;
              }
        }
  self->has_drawing = TRUE;
  lab_chart_redraw (self->chart);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_pointer (LabDrawPad *self, double px, double py)
{
  GtkWidget *widget = GTK_WIDGET (self->chart);
  int row, index;
  double x, y;

  if (self->grid.n_rows == 0
      || !lab_plot_image_grid_locate (gtk_widget_get_width (widget), gtk_widget_get_height (widget),
                                      &self->grid, lab_chart_get_style (self->chart), px, py, &row,
                                      &index, &x, &y)
      || index != 0)
    return;
  lab_draw_pad_paint (self, x, y);
}

static void
lab_draw_pad_clear (LabDrawPad *self)
{
  if (self->images == NULL)
    return;
  memset (self->images, 0, sizeof (float) * 2 * self->planes * MAX (self->pixels, 1));
  self->has_drawing = FALSE;
  gtk_label_set_label (self->caption, _("Drag on the left square to draw"));
  lab_chart_redraw (self->chart);
  g_signal_emit (self, signals[CLEARED], 0);
}

void
lab_draw_pad_show_reconstruction (LabDrawPad *self, const float *sample, int channels)
{
  float *out;

  g_return_if_fail (LAB_IS_DRAW_PAD (self) && sample != NULL);
  if (self->pixels == 0)
    return;
  out = self->images + (gsize) self->planes * self->pixels;
  if (self->planes == channels)
    memcpy (out, sample, sizeof (float) * channels * self->pixels);
  else
    for (int p = 0; p < self->pixels; p++)
      {
        float sum = 0;

        /* the mean over channels */
        for (int c = 0; c < channels; c++)
          sum += sample[(gsize) c * self->pixels + p];
        out[p] = sum / MAX (channels, 1);
      }
  lab_chart_redraw (self->chart);
}

void
lab_draw_pad_set_caption (LabDrawPad *self, const char *text)
{
  g_return_if_fail (LAB_IS_DRAW_PAD (self));
  gtk_label_set_label (self->caption, text);
}

GtkLabel *
lab_draw_pad_get_caption_label (LabDrawPad *self)
{
  g_return_val_if_fail (LAB_IS_DRAW_PAD (self), NULL);
  return self->caption;
}

static void
lab_draw_pad_dispose (GObject *object)
{
  LabDrawPad *self = LAB_DRAW_PAD (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_DRAW_PAD);
  /* the header row has no name to be cleared by */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->images, g_free);
  G_OBJECT_CLASS (lab_draw_pad_parent_class)->dispose (object);
}

static void
lab_draw_pad_class_init (LabDrawPadClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = lab_draw_pad_dispose;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[CLEARED] = g_signal_new ("cleared", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "labdrawpad");
  g_type_ensure (LAB_TYPE_CHART);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/latentlab/LatentLab/ui/lab-draw-pad.ui");
  gtk_widget_class_bind_template_child (widget_class, LabDrawPad, pen_button);
  gtk_widget_class_bind_template_child (widget_class, LabDrawPad, chart);
  gtk_widget_class_bind_template_child (widget_class, LabDrawPad, caption);
  gtk_widget_class_bind_template_callback (widget_class, lab_draw_pad_clear);
  gtk_widget_class_bind_template_callback (widget_class, on_pointer);
}

static void
lab_draw_pad_init (LabDrawPad *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 6);
  self->grid.highlight_row = self->grid.highlight_index = -1;
  self->grid.empty_text = _("Drawing needs image data");
  lab_chart_set_draw_func (self->chart, lab_plot_image_grid_draw_func, &self->grid, NULL);
  self->planes = 1;
}

GtkWidget *
lab_draw_pad_new (void)
{
  return g_object_new (LAB_TYPE_DRAW_PAD, NULL);
}
