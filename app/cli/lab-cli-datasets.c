/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-cli-datasets.c: `latentlab datasets`, the built-in datasets of the engine's registry
 * and whether each loads on this machine, without loading any. */
#include "lab-cli.h"

#include <stdio.h>

static const char *
kind_name (AeDataKind kind)
{
  switch (kind)
    {
    case AE_DATA_IMAGES: return "images";
    case AE_DATA_SEQUENCES: return "sequences";
    case AE_DATA_VECTORS: return "vectors";
    }
  return "unknown";
}

int
lab_cli_datasets (LabArgs *args)
{
  if (args->n_positional > 0)
    return lab_fail (args, LAB_EXIT_USAGE, "'%s': expected no argument", args->positional[0]);
  int json = lab_args_flag (args, "json");
  for (const AeBuiltinDataset *d = ae_builtin_datasets; d->name != NULL; d++)
    {
      int available = ae_builtin_dataset_available (d);
      if (json)
        {
          LabJson j;
          lab_json_begin (&j, stdout);
          lab_json_string (&j, "name", d->name);
          lab_json_string (&j, "title", d->title);
          lab_json_string (&j, "kind", kind_name (d->kind));
          lab_json_int (&j, "samples", d->samples);
          lab_json_int (&j, "channels", d->channels);
          lab_json_int (&j, "height", d->height);
          lab_json_int (&j, "width", d->width);
          lab_json_bool (&j, "available", available);
          lab_json_string (&j, "description", d->description);
          lab_json_end (&j);
          continue;
        }
      /* A sequence's shape is its steps; an image's channels x height x width. */
      char shape[64];
      if (d->kind == AE_DATA_SEQUENCES)
        snprintf (shape, sizeof shape, "%d steps", d->height);
      else
        snprintf (shape, sizeof shape, "%d x %d x %d", d->channels, d->height, d->width);
      printf ("%-8s %-18s %-9s %6ld of %-12s %s\n", d->name, d->title, kind_name (d->kind), d->samples,
              shape, available ? "available" : "not installed");
    }
  return LAB_EXIT_OK;
}
