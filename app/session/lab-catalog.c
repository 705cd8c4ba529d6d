/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-catalog.c: the engine's registries of datasets and presets for the window. */
#include "lab-catalog.h"

#include <string.h>

#include "ae-config.h"
#include "ae-dataset.h"
#include "lab-session.h"

/* Built once from a registry; the strings are the engine's own. */
static LabCatalogEntry *datasets, *presets;

static gpointer
build_catalog (gpointer unused)
{
  gsize n_datasets = 0, n_presets = 0;

  (void) unused;
  while (ae_builtin_datasets[n_datasets].name != NULL)
    n_datasets++;
  while (ae_presets[n_presets].name != NULL)
    n_presets++;
  datasets = g_new0 (LabCatalogEntry, n_datasets + 1);
  for (gsize i = 0; i < n_datasets; i++)
    datasets[i] = (LabCatalogEntry) { ae_builtin_datasets[i].name, ae_builtin_datasets[i].title,
                                      ae_builtin_datasets[i].choice,
                                      ae_builtin_datasets[i].description };
  presets = g_new0 (LabCatalogEntry, n_presets + 1);
  for (gsize i = 0; i < n_presets; i++)
    presets[i] = (LabCatalogEntry) { ae_presets[i].name, ae_presets[i].title, ae_presets[i].title,
                                     ae_presets[i].description };
  return NULL;
}

static void
ensure_catalog (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, build_catalog, NULL);
}

const LabCatalogEntry *
lab_catalog_datasets (void)
{
  ensure_catalog ();
  return datasets;
}

const LabCatalogEntry *
lab_catalog_presets (void)
{
  ensure_catalog ();
  return presets;
}

const LabCatalogEntry *
lab_catalog_find (const LabCatalogEntry *entries, const char *name)
{
  g_return_val_if_fail (entries != NULL, NULL);

  for (; name != NULL && entries->name != NULL; entries++)
    if (strcmp (entries->name, name) == 0)
      return entries;
  return NULL;
}

gboolean
lab_catalog_dataset_available (const char *name)
{
  const AeBuiltinDataset *dataset = ae_builtin_dataset_find (name);

  return dataset != NULL && ae_builtin_dataset_available (dataset);
}

const char *const *
lab_session_list_presets (void)
{
  static const char **names;
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      gsize n = 0;

      while (ae_presets[n].name != NULL)
        n++;
      names = g_new0 (const char *, n + 1);
      for (gsize i = 0; i < n; i++)
        names[i] = ae_presets[i].name;
      g_once_init_leave (&initialised, 1);
    }
  return names;
}
