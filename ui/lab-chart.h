/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-chart.h: a widget that draws one pure-Cairo plot (lab-plot.h) with theme colours,
 * and reports pointer activity in widget coordinates so that views can hover, click and
 * drag on what it shows. */
#pragma once

#include <gtk/gtk.h>

#include "lab-plot.h"

G_BEGIN_DECLS

#define LAB_TYPE_CHART (lab_chart_get_type ())
G_DECLARE_FINAL_TYPE (LabChart, lab_chart, LAB, CHART, GtkWidget)

GtkWidget          *lab_chart_new             (void);
/* The chart draws `draw (cr, width, height, data, style)`; it owns `data` when `destroy` is
 * given and frees it when replaced or finalised. Setting queues a redraw. A NULL draw
 * function draws nothing. */
void                lab_chart_set_draw_func   (LabChart        *self,
                                               LabPlotDrawFunc  draw,
                                               gpointer         data,
                                               GDestroyNotify   destroy);
gpointer            lab_chart_get_data        (LabChart        *self);
/* After changing the data in place. */
void                lab_chart_redraw          (LabChart        *self);
/* The style the chart draws with (theme colours and scale): pass it to the lab_plot_*
 * mapping functions so that hit-tests agree with the picture. */
const LabPlotStyle *lab_chart_get_style       (LabChart        *self);
/* Text and line scale of this chart (1.0 normal). Presentation mode needs no call: a chart
 * in a window with the CSS class "presentation" multiplies it (text 1.4x, lines 2x) and
 * draws secondary text and grid lines with more contrast. */
void                lab_chart_set_scale       (LabChart        *self,
                                               double           scale);
double              lab_chart_get_scale       (LabChart        *self);
/* The presentation-scale setting: multiplies presentation mode's text and line scale in every
 * chart (1.0 as designed); charts take it up at their next style change. */
void                lab_chart_set_presentation_scale (double    scale);
/* What the chart shows, for screen readers (e.g. from lab_plot_loss_summary). Without one,
 * the chart describes itself as it draws: the plot's own summary (loss, scatter, histogram,
 * ROC, bars) or the rows of an image grid and the length of a sequence; the getter returns
 * whichever is in use. */
void                lab_chart_set_description (LabChart        *self,
                                               const char      *description);
const char         *lab_chart_get_description (LabChart        *self);
/* Writes what the chart shows to PNG, SVG or PDF (by extension) at the chart's size (or
 * 960 x 600 before it has one). */
gboolean            lab_chart_export          (LabChart        *self,
                                               const char      *path,
                                               GError         **error);
/* Draws what the chart shows into cr at width x height with the chart's style, as on
 * screen (no background of its own): for pictures made of several charts. */
void                lab_chart_draw            (LabChart        *self,
                                               cairo_t         *cr,
                                               int              width,
                                               int              height);
gboolean            lab_chart_export_sized    (LabChart        *self,
                                               const char      *path,
                                               int              width,
                                               int              height,
                                               GError         **error);

G_END_DECLS
