#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes latentlab.1 from `latentlab --help` and each `latentlab COMMAND --help`, so that
the manual says what the program says. Usage: make-man.py LATENTLAB VERSION OUT."""
import re
import subprocess
import sys


def help_text(binary, *args):
    return subprocess.run([binary, *args, "--help"], check=True, capture_output=True, text=True).stdout


def roff(text):
    """Plain lines as roff: backslashes and leading dots escaped, blank lines as paragraphs."""
    out = []
    for line in text.rstrip().splitlines():
        line = line.replace("\\", "\\e").replace("-", "\\-")
        if line.startswith((".", "'")):
            line = "\\&" + line
        out.append(line if line.strip() else ".PP")
    return "\n".join(out)


def main():
    binary, version, path = sys.argv[1:4]
    main_help = help_text(binary)
    commands = re.findall(r"^  ([a-z][a-z-]*) ", main_help.split("Commands:")[1].split("\n\n")[0], re.M)
    page = [f'.TH LATENTLAB 1 "" "latentlab {version}" "User Commands"',
            ".SH NAME", "latentlab \\- watch an autoencoder learn",
            ".SH SYNOPSIS", ".nf", roff(main_help.split("\n\n")[0].replace("Usage: ", "")), ".fi",
            ".SH DESCRIPTION",
            "With no command, latentlab opens the window on the embedded MNIST digits with a preset "
            "ready; with one, it runs the same engine headless.",
            ".SH OVERVIEW", ".nf", roff(main_help), ".fi", ".SH COMMANDS"]
    for command in (c for c in commands if c != "help"):
        page += [f".SS {command}", ".nf", roff(help_text(binary, command)), ".fi"]
    page += [".SH SEE ALSO", "The README and CLI documentation in the source tree; "
             "python/latentlab_torch.py for PyTorch."]
    with open(path, "w") as f:
        f.write("\n".join(page) + "\n")


if __name__ == "__main__":
    main()
