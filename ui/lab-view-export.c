/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-view-export.c: a picture of a whole view from the LabCharts it shows and the text
 * around them (headings, captions, readouts); controls are left out. */
#include "lab-view-export.h"

#include <glib/gi18n.h>
#include <math.h>

/* Space around the charts in the picture, in pixels. */
#define EXPORT_MARGIN 12

typedef struct {
  LabChart *chart;
  graphene_rect_t bounds; /* in the view's coordinates */
} PlacedChart;

typedef struct {
  GtkLabel *label;
  graphene_rect_t bounds;
} PlacedLabel;

/* Widgets that a reader of a printed figure cannot use: their text stays out. */
static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_DROP_DOWN (widget)
         || GTK_IS_SPIN_BUTTON (widget) || GTK_IS_RANGE (widget) || GTK_IS_EDITABLE (widget)
         || GTK_IS_SWITCH (widget) || GTK_IS_CHECK_BUTTON (widget)
         || GTK_IS_STACK_SWITCHER (widget) || GTK_IS_POPOVER (widget);
}

static gboolean
has_size (GtkWidget *widget)
{
  return gtk_widget_get_width (widget) > 0 && gtk_widget_get_height (widget) > 0;
}

/* labels may be NULL: charts only */
static void
collect (GtkWidget *widget, GtkWidget *view, GArray *charts, GArray *labels)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      /* hidden pages of a stack and hidden panels are not part of the picture */
      if (!gtk_widget_get_mapped (child) || is_control (child))
        continue;
      if (LAB_IS_CHART (child))
        {
          PlacedChart p = { LAB_CHART (child), GRAPHENE_RECT_INIT (0, 0, 0, 0) };

          if (has_size (child) && gtk_widget_compute_bounds (child, view, &p.bounds))
            g_array_append_val (charts, p);
          continue;
        }
      if (GTK_IS_LABEL (child))
        {
          PlacedLabel p = { GTK_LABEL (child), GRAPHENE_RECT_INIT (0, 0, 0, 0) };
          const char *text = gtk_label_get_text (GTK_LABEL (child));

          GtkWidget *prev = gtk_widget_get_prev_sibling (child);
          GtkWidget *next = gtk_widget_get_next_sibling (child);
          /* a label beside a control, or with a mnemonic for one, names the control, which the
           * picture leaves out */
          gboolean names_control = (prev != NULL && is_control (prev))
                                   || (next != NULL && is_control (next))
                                   || gtk_label_get_mnemonic_widget (GTK_LABEL (child)) != NULL;

          if (labels != NULL && text != NULL && text[0] != '\0' && !names_control && has_size (child)
              && gtk_widget_compute_bounds (child, view, &p.bounds))
            g_array_append_val (labels, p);
          continue;
        }
      collect (child, view, charts, labels);
    }
}

static int
compare_placed (gconstpointer a, gconstpointer b)
{
  const PlacedChart *p = a, *q = b;

  /* rows first; charts whose tops are within a few pixels share a row */
  if (fabsf (p->bounds.origin.y - q->bounds.origin.y) > 4)
    return p->bounds.origin.y < q->bounds.origin.y ? -1 : 1;
  return (p->bounds.origin.x > q->bounds.origin.x) - (p->bounds.origin.x < q->bounds.origin.x);
}

static GArray *
placed_charts (GtkWidget *view)
{
  GArray *placed = g_array_new (FALSE, FALSE, sizeof (PlacedChart));

  if (gtk_widget_get_mapped (view))
    collect (view, view, placed, NULL);
  g_array_sort (placed, compare_placed);
  return placed;
}

GPtrArray *
lab_view_export_find_charts (GtkWidget *view)
{
  g_return_val_if_fail (GTK_IS_WIDGET (view), NULL);

  g_autoptr(GArray) placed = placed_charts (view);
  GPtrArray *charts = g_ptr_array_sized_new (placed->len);

  for (guint i = 0; i < placed->len; i++)
    g_ptr_array_add (charts, g_array_index (placed, PlacedChart, i).chart);
  return charts;
}

static const PlacedChart *
largest (GArray *placed)
{
  const PlacedChart *best = NULL;

  for (guint i = 0; i < placed->len; i++)
    {
      const PlacedChart *p = &g_array_index (placed, PlacedChart, i);

      if (best == NULL || p->bounds.size.width * p->bounds.size.height
                          > best->bounds.size.width * best->bounds.size.height)
        best = p;
    }
  return best;
}

LabChart *
lab_view_export_main_chart (GtkWidget *view)
{
  g_return_val_if_fail (GTK_IS_WIDGET (view), NULL);

  g_autoptr(GArray) placed = placed_charts (view);
  const PlacedChart *best = largest (placed);

  return best != NULL ? best->chart : NULL;
}

typedef struct {
  GArray *placed;
  GArray *labels;
  double x0, y0; /* the view point drawn at the picture's (EXPORT_MARGIN, EXPORT_MARGIN) */
} Composition;

/* A label's text as the window sets it (its font, wrapping and alignment), in the plot's
 * foreground colour, or the muted one for dimmed labels. */
static void
draw_label (cairo_t *cr, const PlacedLabel *p, const LabPlotStyle *style)
{
  GtkWidget *widget = GTK_WIDGET (p->label);
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, gtk_label_get_text (p->label));
  LabRgba color = gtk_widget_has_css_class (widget, "dim-label") ? style->muted : style->foreground;
  int text_width, text_height;

  if (gtk_label_get_wrap (p->label))
    {
      pango_layout_set_width (layout, (int) (p->bounds.size.width * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }
  pango_layout_get_pixel_size (layout, &text_width, &text_height);
  cairo_set_source_rgba (cr, color.r, color.g, color.b, color.a);
  cairo_move_to (cr, (p->bounds.size.width - text_width) * gtk_label_get_xalign (p->label),
                 (p->bounds.size.height - text_height) / 2);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

/* A LabPlotDrawFunc: the background once, then every chart at its place, clipped to it. */
static void
draw_composition (cairo_t *cr, int width, int height, const void *data, const LabPlotStyle *style)
{
  const Composition *c = data;

  if (style->fill_background)
    {
      cairo_set_source_rgba (cr, style->background.r, style->background.g, style->background.b,
                             style->background.a);
      cairo_paint (cr);
    }
  for (guint i = 0; i < c->placed->len; i++)
    {
      const PlacedChart *p = &g_array_index (c->placed, PlacedChart, i);
      int w = (int) roundf (p->bounds.size.width), h = (int) roundf (p->bounds.size.height);

      cairo_save (cr);
      cairo_translate (cr, round (p->bounds.origin.x - c->x0 + EXPORT_MARGIN),
                       round (p->bounds.origin.y - c->y0 + EXPORT_MARGIN));
      cairo_rectangle (cr, 0, 0, w, h);
      cairo_clip (cr);
      lab_chart_draw (p->chart, cr, w, h);
      cairo_restore (cr);
    }
  for (guint i = 0; c->labels != NULL && i < c->labels->len; i++)
    {
      const PlacedLabel *p = &g_array_index (c->labels, PlacedLabel, i);

      cairo_save (cr);
      cairo_translate (cr, round (p->bounds.origin.x - c->x0 + EXPORT_MARGIN),
                       round (p->bounds.origin.y - c->y0 + EXPORT_MARGIN));
      draw_label (cr, p, style);
      cairo_restore (cr);
    }
}

gboolean
lab_view_export (GtkWidget *view, LabViewExportWhat what, const char *path, GError **error)
{
  g_return_val_if_fail (GTK_IS_WIDGET (view), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_autoptr(GArray) placed = placed_charts (view);
  g_autoptr(GArray) labels = g_array_new (FALSE, FALSE, sizeof (PlacedLabel));
  g_autoptr(GArray) unused = g_array_new (FALSE, FALSE, sizeof (PlacedChart));
  const PlacedChart *main_chart = largest (placed);
  Composition composition = { placed, labels, 0, 0 };
  double x1 = 0, y1 = 0;
  cairo_status_t status;

  if (main_chart == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                   _("Cannot export “%s”: this view shows no chart"), path);
      return FALSE;
    }
  if (what == LAB_VIEW_EXPORT_MAIN)
    return lab_chart_export (main_chart->chart, path, error);

  collect (view, view, unused, labels);
  composition.x0 = composition.y0 = G_MAXDOUBLE;
  for (guint i = 0; i < placed->len + labels->len; i++)
    {
      const graphene_rect_t *b = i < placed->len ? &g_array_index (placed, PlacedChart, i).bounds
                                                 : &g_array_index (labels, PlacedLabel, i - placed->len).bounds;

      composition.x0 = MIN (composition.x0, b->origin.x);
      composition.y0 = MIN (composition.y0, b->origin.y);
      x1 = MAX (x1, b->origin.x + b->size.width);
      y1 = MAX (y1, b->origin.y + b->size.height);
    }
  /* the charts share one style's background; each draws with its own colours */
  status = lab_plot_export (path, (int) ceil (x1 - composition.x0) + 2 * EXPORT_MARGIN,
                            (int) ceil (y1 - composition.y0) + 2 * EXPORT_MARGIN,
                            draw_composition, &composition, lab_chart_get_style (main_chart->chart));
  if (status == CAIRO_STATUS_INVALID_FORMAT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Cannot export “%s”: the name should end in .png, .svg or .pdf"), path);
      return FALSE;
    }
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot export “%s”: %s"), path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
