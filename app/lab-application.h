/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-application.h: the GtkApplication of Latent Lab. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LAB_APPLICATION_ID "io.github.latentlab.LatentLab"

#define LAB_TYPE_APPLICATION (lab_application_get_type ())

G_DECLARE_FINAL_TYPE (LabApplication, lab_application, LAB, APPLICATION, AdwApplication)

LabApplication *lab_application_new (void);

/* The program's settings (resources/desktop/io.github.latentlab.LatentLab.gschema.xml): from
 * the installed schemas, else from the build folder when run uninstalled; NULL when neither
 * has them (nothing is then remembered). */
GSettings *lab_application_settings_new (void);

G_END_DECLS
