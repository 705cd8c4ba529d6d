#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`meson install` into a staging folder installs what the desktop needs to know Latent Lab
(the MIME type, the settings schema, the man page, the bash completion, the desktop file and
the metainfo), and each passes its validator: desktop-file-validate, appstreamcli validate,
glib-compile-schemas --strict, update-mime-database.

Usage: test-install.py BUILD_DIR
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

APP_ID = "io.github.latentlab.LatentLab"


def run(*command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout + result.stderr


def one(stage, pattern):
    found = glob.glob(os.path.join(stage, "**", pattern), recursive=True)
    if len(found) != 1:
        sys.exit(f"expected one installed {pattern}, found {found or 'none'}")
    return found[0]


def main():
    build = sys.argv[1]
    meson = shutil.which("meson")
    if meson is None:
        print("meson not on PATH: cannot install")
        sys.exit(77)
    with tempfile.TemporaryDirectory(prefix="latentlab-stage-") as stage:
        run(meson, "install", "-C", build, "--no-rebuild", "--quiet", "--destdir", stage)

        schema = one(stage, f"share/glib-2.0/schemas/{APP_ID}.gschema.xml")
        mime = one(stage, f"share/mime/packages/{APP_ID}.xml")
        desktop = one(stage, f"share/applications/{APP_ID}.desktop")
        metainfo = one(stage, f"share/metainfo/{APP_ID}.metainfo.xml")
        one(stage, "share/man/man1/latentlab.1")
        one(stage, "share/bash-completion/completions/latentlab")

        run("glib-compile-schemas", "--strict", "--dry-run", os.path.dirname(schema))
        run("desktop-file-validate", desktop)
        run("appstreamcli", "validate", "--no-net", "--pedantic", metainfo)

        # the desktop file opens sessions with the files it is given
        entry = open(desktop, encoding="utf-8").read()
        assert "Exec=latentlab %F\n" in entry, entry
        assert "MimeType=application/x-latentlab-session;" in entry, entry

        # the MIME database built from the package knows sessions by their name
        mime_dir = os.path.dirname(os.path.dirname(mime))
        run("update-mime-database", "-n", mime_dir)
        globs = open(os.path.join(mime_dir, "globs2"), encoding="utf-8").read()
        assert "application/x-latentlab-session:*.latentlab-session" in globs, globs
        assert "text/x-latentlab-lesson:*.lesson" in globs, globs
    print("ok: installed and valid")


if __name__ == "__main__":
    main()
