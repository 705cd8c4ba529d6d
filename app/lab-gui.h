/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-gui.h: the window's entry point, called by main() when no subcommand is given. */
#pragma once

/* Runs the GTK application with the window options of CLI.md (--data, --preset, --run,
 * --view); returns the process exit status. */
int lab_gui_main (int argc, char **argv);
