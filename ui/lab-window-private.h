/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-window-private.h: the window's struct, shared by its construction and its actions. */
#pragma once

#include <adwaita.h>

#include "lab-sidebar.h"
#include "lab-training-view.h"
#include "lab-window.h"

G_BEGIN_DECLS

/* A presenting window asks the desktop for full screen; the desktop may take a moment to
 * grant it, and may later take it back (a keyboard shortcut, the window menu), which ends the
 * presentation. A window that asks before it shows is reported full screen at once and then,
 * shown by a window manager still starting, not full screen until the manager gets to it:
 * that is not the user leaving. */
typedef struct {
  gint64 shown_us;    /* when the presenting window was shown (monotonic), 0 while hidden */
  gboolean confirmed; /* the desktop has shown it full screen since */
} LabFullscreenWatch;
typedef enum {
  LAB_FULLSCREEN_KEEP,      /* nothing to do */
  LAB_FULLSCREEN_ASK_AGAIN, /* not full screen yet: ask again */
  LAB_FULLSCREEN_LEAVE,     /* the desktop took the window out of full screen */
} LabFullscreenAnswer;
/* How long after the window shows a report of "not full screen" is the desktop catching up */
#define LAB_FULLSCREEN_SETTLE_US (3 * G_USEC_PER_SEC)
/* From when presenting starts, or when the presenting window shows (maps). */
void                _lab_fullscreen_watch_start (LabFullscreenWatch *watch, gboolean fullscreen,
                                                 gboolean mapped, gint64 now_us);
/* What a report of the window's state asks for. */
LabFullscreenAnswer _lab_fullscreen_watch_report (LabFullscreenWatch *watch, gboolean fullscreen,
                                                  gboolean mapped, gint64 now_us);

struct _LabWindow {
  GtkApplicationWindow parent_instance;

  /* template widgets */
  GtkHeaderBar *header_bar;
  GtkWidget *run_button;
  GtkImage *run_icon;
  GtkLabel *run_label;
  GtkWidget *step_button;        /* Step, with a menu of a batch or an epoch */
  GtkWidget *reset_button;
  AdwWindowTitle *window_title;  /* the program, and the preset with the dataset */
  GtkLabel *progress_label;
  GtkWidget *primary_menu_button;
  GtkProgressBar *progress_bar;
  LabSidebar *sidebar;
  GtkStack *stack;
  GtkScrolledWindow *view_scroller;
  GtkStackSwitcher *switcher;
  GtkWidget *banner; /* shown while training is diverged */
  GtkLabel *banner_label;
  AdwFlap *flap;                 /* the sidebar at the side, or folded over the plots while presenting */
  GtkWidget *settings_button;    /* presentation mode: opens the folded sidebar (F9) */
  GtkWidget *presentation_bar;   /* the header bar's commands while full screen */
  GtkWidget *presentation_run_button;
  GtkLabel *presentation_progress_label;
  AdwToastOverlay *toast_overlay; /* "Session saved", "Picture exported", "Training finished" */
  GtkWidget *lesson_box;         /* the flap, and the lesson panel beside it */
  GtkWidget *lesson_panel;       /* LabLessonPanel beside the views while a lesson is open */
  LabTrainingView *training_view; /* the stack's "training" page */

  /* owned */
  LabSession *session;
  GCancellable *cancellable; /* cancelled when the window goes */
  gboolean presenting;       /* presentation mode: full screen, large text, thick lines */
  LabFullscreenWatch fullscreen_watch; /* whether the desktop has caught up with presenting */
  char *session_path;        /* the session file opened or saved last: Ctrl+S saves there */
  guint inhibit_cookie;      /* presentation mode keeps the projector from blanking */
  int last_state;            /* LabTrainingState of the last snapshot: a finish is told once */
  GSettings *settings;       /* what is remembered between runs, or NULL (lab-window-settings.c) */

  /* LATENTLAB_FRAME_STATS=1: frame durations and intervals, printed when the window goes */
  GArray *frame_durations;   /* double, ms: layout and paint of one frame */
  GArray *frame_intervals;   /* double, ms: between the starts of two frames */
  GArray *speeds;            /* double, samples/s of each delivery while running */
  double finished_s;         /* training time when the run's epochs were done, 0 before */
  int finished_epochs;
  gint64 frame_start;
  gint64 frame_cpu_start;    /* the main thread's CPU time at the frame's start, ns */
  GArray *frame_cpu;         /* double, ms: the main thread's CPU time in one frame */
  gint64 last_frame_start;
  GArray *loop_lateness;     /* double, ms: how late the main-loop probe's timeout fired */
  gint64 probe_due;          /* when the probe should fire next (monotonic, us) */
  guint probe_source;
  gint64 cpu_start_ns;       /* the main thread's CPU time when training was first seen */
  gint64 wall_start_us;      /* and the monotonic clock then */
  guint n_snapshots;         /* snapshots delivered since then */
};

void             _lab_window_class_init_actions (GtkWidgetClass *widget_class);
/* Lessons (lab-window-lesson.c): the actions, their enabling, and the lesson a session
 * file brought (lab_session_get_lesson), shown with the session's weights as they are. */
void             _lab_window_class_init_lesson (GtkWidgetClass *widget_class);
void             _lab_window_update_lesson_actions (LabWindow *self);
void             _lab_window_restore_lesson (LabWindow *self);
/* Enables what makes sense now (no Step or export while loading). */
void             _lab_window_update_actions (LabWindow *self);
/* Offers only the views named (a lesson step's), or every view for NULL. */
void             _lab_window_limit_views (LabWindow *self, const char *const *views);
/* Loads without blocking; run starts training once loaded. */
void             _lab_window_load (LabWindow *self, const char *data, const char *preset,
                                   gboolean run);
void             _lab_window_show_error (LabWindow *self, const char *primary,
                                         const char *secondary);
LabTrainingView *_lab_window_get_training_view (LabWindow *self);
/* A short message at the bottom of the window that goes by itself ("Session saved"). */
void             _lab_window_toast (LabWindow *self, const char *text);
/* The session file that Save Session writes to without asking (NULL: ask). */
void             _lab_window_set_session_path (LabWindow *self, const char *path);
/* What takes the place of the trained network: another dataset (spec or file), a session
 * file with its own model, a lesson (a file or a bundled lesson's name) with its first
 * step's. */
typedef enum {
  LAB_OPEN_DATASET,
  LAB_OPEN_SESSION,
  LAB_OPEN_LESSON,
} LabOpenKind;
/* A file the window opens and whether training starts once it is open, handed on to the
 * opening's end by the question or the worker in between. Holds the window. */
typedef struct {
  LabWindow *self;
  LabOpenKind kind;
  char *path;
  gboolean run;
} LabOpening;
LabOpening      *_lab_opening_new  (LabWindow *self, LabOpenKind kind, const char *path,
                                    gboolean run);
void             _lab_opening_free (gpointer opening);
/* Opens it once the user agreed to lose the trained network (asked only when a batch was
 * trained; errors are shown); run starts training a dataset or session once opened. */
void             _lab_window_open_asking (LabWindow *self, LabOpenKind kind, const char *path,
                                          gboolean run);
/* Files dropped on the window open as lab_window_open_file does. */
void             _lab_window_init_drop (LabWindow *self);
/* Writes the window's size, run and view into its settings, once, as it goes. */
void             _lab_window_save_settings (LabWindow *self);

G_END_DECLS
