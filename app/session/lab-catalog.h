/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-catalog.h: the built-in datasets and the presets, as the engine's registries list them.
 *
 * For the window, which may not read engine headers: names, titles and one-sentence
 * descriptions (English, marked for translation in the engine: translate them with _()),
 * and whether a built-in dataset loads on this machine.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *name;        /* as the command line takes it: "digits", "vae" */
  const char *title;       /* "MNIST digits", "Variational" */
  const char *choice;      /* in a list to choose from: "MNIST digits (embedded)"; presets: the title */
  const char *description; /* one sentence */
} LabCatalogEntry;

/* Every built-in dataset, then every preset, in the order lists show them; each array ends
 * with an entry whose name is NULL. Static. */
const LabCatalogEntry *lab_catalog_datasets (void);
const LabCatalogEntry *lab_catalog_presets (void);
/* The entry called name in entries, or NULL. */
const LabCatalogEntry *lab_catalog_find (const LabCatalogEntry *entries, const char *name);
/* Whether the built-in dataset loads here (Fashion-MNIST: its files are installed); FALSE
 * for a name that is not a built-in dataset. Asked afresh at each call. */
gboolean lab_catalog_dataset_available (const char *name);

G_END_DECLS
