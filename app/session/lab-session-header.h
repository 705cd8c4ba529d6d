/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-session-header.h: the text header of a session file, read without a session. */
#pragma once

#include "lab-session-private.h"

G_BEGIN_DECLS

/* The first line, with the format version, and the line the configuration follows. */
#define SESSION_HEADER "latentlab-session "
#define SESSION_VERSION 1
#define MODEL_SECTION "[model]"

typedef struct {
  char *dataset;
  guint64 dataset_seed;
  char *view;
  char *lesson;
  LabSavedProgress progress;
  GPtrArray *chosen_names; /* char * */
  GPtrArray *chosen;       /* GArray of long */
  const char *config_text; /* points into the file's text */
} LabSessionHeader;

/* Reads the header at the start of text (the session file's text, NUL-terminated): every
 * value range-checked, a message naming path and line otherwise. On success config_text
 * points into text at the model's configuration. Clear h after either answer. */
gboolean lab_session_header_parse (LabSessionHeader *h, const char *path, const char *text,
                                   GError **error);
void     lab_session_header_clear (LabSessionHeader *h);

G_END_DECLS
