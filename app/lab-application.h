/* lab-application.h: the GtkApplication of Latent Lab. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LAB_APPLICATION_ID "io.github.latentlab.LatentLab"

#define LAB_TYPE_APPLICATION (lab_application_get_type ())

G_DECLARE_FINAL_TYPE (LabApplication, lab_application, LAB, APPLICATION, AdwApplication)

LabApplication *lab_application_new (void);

/* The view names of `--view`, NULL-terminated: training, latent, generate, ... */
extern const char *const lab_view_names[];

G_END_DECLS
