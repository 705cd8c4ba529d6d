/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-gui.h: the window's entry point, called by main() when no subcommand is given. */
#pragma once

/* Runs the GTK application with the window options of CLI.md (--data, --preset, --run,
 * --view); returns the process exit status. */
int lab_gui_main (int argc, char **argv);

/* What the window's process sets before GTK starts, for the resident memory it keeps: no GL
 * driver under the Cairo renderer, large blocks handed back when freed (lab-memory.h).
 * lab_gui_main calls it; so do the tests that measure the window's memory. */
void lab_gui_prepare_process (void);
