/* main.c: `latentlab COMMAND ...` runs headless; anything else opens the window. */
#include <stdio.h>

#include "lab-cli.h"
#ifdef LAB_HAVE_GUI
#include "lab-gui.h"
#endif

int
main (int argc, char **argv)
{
  /* The window's options all start with dashes; any other word is meant as a command, and
   * the command line says so when it is not one. */
  if (argc > 1 && (lab_cli_is_command (argv[1]) || argv[1][0] != '-'))
    return lab_cli_main (argc, argv);
#ifdef LAB_HAVE_GUI
  return lab_gui_main (argc, argv);
#else
  fprintf (stderr, "latentlab: this build has no window (built without GTK); "
                   "see latentlab --help for the commands\n");
  return LAB_EXIT_USAGE;
#endif
}
