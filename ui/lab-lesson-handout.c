/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-lesson-handout.c: the lesson as it was run, to PDF (see lab-lesson-handout.h). */
#include <math.h>

#include <cairo-pdf.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "lab-lesson-handout.h"
#include "lab-plot.h"

/* A4 in points, with 50 pt margins */
#define PAGE_W 595.0
#define PAGE_H 842.0
#define MARGIN 50.0
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define N_PREVIEW 8

/* Draws text at y in the given font, wrapped to the text width; returns the y below it. */
static double
show_text (cairo_t *cr, double y, const char *font, const char *text, gboolean markup)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *desc = pango_font_description_from_string (font);
  int height;

  pango_layout_set_font_description (layout, desc);
  pango_layout_set_width (layout, (int) (TEXT_W * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  if (markup)
    pango_layout_set_markup (layout, text, -1);
  else
    pango_layout_set_text (layout, text, -1);
  cairo_move_to (cr, MARGIN, y);
  pango_cairo_show_layout (cr, layout);
  pango_layout_get_pixel_size (layout, NULL, &height);
  pango_font_description_free (desc);
  g_object_unref (layout);
  return y + height + 6;
}

static char *
format_value (double v)
{
  return isnan (v) ? g_strdup ("–") : g_strdup_printf ("%.4g", v);
}

static double
draw_checks (cairo_t *cr, double y, LabLessonState *state, guint step)
{
  guint n = lab_lesson_state_step_n_checks (state, step);

  if (n == 0)
    return y;
  y = show_text (cr, y + 4, "Sans Bold 11", _("Checks"), FALSE);
  for (guint c = 0; c < n; c++)
    {
      double left, right;
      LabCheckState s = lab_lesson_state_check_state (state, step, c, &left, &right);
      g_autofree char *a = format_value (left), *b = format_value (right);
      g_autofree char *escaped = g_markup_escape_text (lab_lesson_state_check_text (state, step, c), -1);
      g_autofree char *line = NULL;

      if (s == LAB_CHECK_NOT_MEASURED)
        line = g_strdup_printf ("○ <tt>%s</tt>  —  %s", escaped, _("not measured"));
      else
        line = g_strdup_printf ("%s <tt>%s</tt>  —  %s (%s against %s)",
                                s == LAB_CHECK_HOLDS ? "✔" : "✘", escaped,
                                s == LAB_CHECK_HOLDS ? _("holds") : _("does not hold"), a, b);
      y = show_text (cr, y, "Sans 10", line, TRUE);
    }
  return y;
}

static double
draw_loss (cairo_t *cr, double y, LabSnapshot *snapshot, const LabPlotStyle *style)
{
  LabSeries series[2] = { 0 };
  LabLossData data = { 0 };
  const double height = 220;
  LabLossTerm term = lab_snapshot_objective_term (snapshot);

  series[0].name = _("training loss");
  series[0].x = snapshot->train[term].x;
  series[0].y = snapshot->train[term].y;
  series[0].n = (int) snapshot->train[term].n;
  series[0].color_index = 0;
  series[1].name = _("validation loss");
  series[1].x = snapshot->val[term].x;
  series[1].y = snapshot->val[term].y;
  series[1].n = (int) snapshot->val[term].n;
  series[1].color_index = 0;
  series[1].dashed = true;
  series[1].markers = series[1].n < 30;
  data.series = series;
  data.n_series = 2;
  data.x_label = _("epoch");
  data.y_label = _("loss per example");
  data.log_y = true;
  data.legend = LAB_PLOT_LEGEND_BEST;
  cairo_save (cr);
  cairo_translate (cr, MARGIN, y);
  lab_plot_loss_draw (cr, (int) TEXT_W, (int) height, &data, style);
  cairo_restore (cr);
  return y + height + 10;
}

static double
draw_reconstructions (cairo_t *cr, double y, LabSnapshot *snapshot, const LabPlotStyle *style)
{
  LabImageRow rows[2] = { 0 };
  LabImageGridData grid = { 0 };
  int n = MIN (snapshot->n_preview, N_PREVIEW);
  const double height = 150;

  if (!snapshot->is_image || snapshot->preview_output == NULL || n == 0
      || (snapshot->channels != 1 && snapshot->channels != 3))
    return y;
  rows[0].label = _("input");
  rows[0].pixels = snapshot->preview_input;
  rows[0].n_images = n;
  rows[0].colormap = snapshot->channels == 3 ? LAB_IMAGE_RGB : LAB_IMAGE_GREY;
  rows[1] = rows[0];
  rows[1].label = _("reconstruction");
  rows[1].pixels = snapshot->preview_output;
  grid.image_width = snapshot->width;
  grid.image_height = snapshot->height;
  grid.rows = rows;
  grid.n_rows = 2;
  grid.highlight_row = -1;
  grid.highlight_index = -1;
  cairo_save (cr);
  cairo_translate (cr, MARGIN, y);
  lab_plot_image_grid_draw (cr, (int) TEXT_W, (int) height, &grid, style);
  cairo_restore (cr);
  return y + height + 10;
}

static void
draw_step (cairo_t *cr, LabLessonState *state, guint step, const LabPlotStyle *style)
{
  guint n_steps = lab_lesson_state_get_n_steps (state);
  const char *question = lab_lesson_state_step_question (state, step);
  LabSnapshot *snapshot = lab_lesson_state_get_snapshot (state, step);
  g_autofree char *header = NULL, *title = NULL;
  double y = MARGIN;

  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  header = g_strdup_printf (_("%s · step %u of %u"), lab_lesson_state_get_title (state), step + 1,
                            n_steps);
  y = show_text (cr, y, "Sans 9", header, FALSE);
  y = show_text (cr, y, "Sans Bold 16", lab_lesson_state_step_title (state, step), FALSE);
  y = show_text (cr, y, "Sans 11", lab_lesson_state_step_text (state, step), FALSE);
  if (question != NULL)
    {
      int answer = lab_lesson_state_get_answer (state, step);
      int right = lab_lesson_state_step_right_choice (state, step);
      g_autofree char *q = g_markup_escape_text (question, -1);
      g_autofree char *line = g_strdup_printf ("<b>%s</b> %s", _("Prediction:"), q);

      y = show_text (cr, y + 4, "Sans 10", line, TRUE);
      for (guint c = 0; c < lab_lesson_state_step_n_choices (state, step); c++)
        {
          g_autofree char *choice = g_markup_escape_text (lab_lesson_state_step_choice (state, step, c), -1);
          g_autofree char *item = g_strdup_printf ("%s %s%s%s", (int) c == answer ? "●" : "○",
                                                   choice,
                                                   (int) c == answer ? _(" (answered)") : "",
                                                   (int) c == right && lab_lesson_state_get_ran (state, step)
                                                     ? _(" — what the run showed") : "");
          y = show_text (cr, y - 3, "Sans 10", item, TRUE);
        }
    }
  y = draw_checks (cr, y, state, step);
  if (snapshot != NULL)
    {
      y = draw_loss (cr, y + 6, snapshot, style);
      draw_reconstructions (cr, y, snapshot, style);
    }
  else
    show_text (cr, y + 6, "Sans Italic 10", _("This step was not run."), FALSE);
}

gboolean
lab_lesson_handout_write (LabLessonState *state, const char *path, GError **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  LabPlotStyle style;

  g_return_val_if_fail (LAB_IS_LESSON_STATE (state), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  lab_plot_style_init_light (&style);
  style.font_size = 9;
  surface = cairo_pdf_surface_create (path, PAGE_W, PAGE_H);
  cr = cairo_create (surface);
  for (guint step = 0; step < lab_lesson_state_get_n_steps (state); step++)
    {
      draw_step (cr, state, step, &style);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, _("%s: the handout could not be written: %s"),
                   path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
