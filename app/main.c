/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: `latentlab COMMAND ...` runs headless; anything else opens the window, with the
 * files named (`latentlab lesson.latentlab-session`, a picture, a dataset). */
#include <stdio.h>
#include <sys/stat.h>

#include "lab-cli.h"
#ifdef LAB_HAVE_GUI
#include "lab-gui.h"
#endif

int
main (int argc, char **argv)
{
  struct stat file;

  /* The window's options all start with dashes and its files exist; any other word is meant
   * as a command, and the command line says so when it is not one. */
  if (argc > 1 && (lab_cli_is_command (argv[1])
                   || (argv[1][0] != '-' && stat (argv[1], &file) != 0)))
    return lab_cli_main (argc, argv);
#ifdef LAB_HAVE_GUI
  return lab_gui_main (argc, argv);
#else
  fprintf (stderr, "latentlab: this build has no window (built without GTK); "
                   "see latentlab --help for the commands\n");
  return LAB_EXIT_USAGE;
#endif
}
