#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`meson setup` succeeds on a machine that has only what tools/install-packages.sh installs
without --tests: the README's first command must not need a test tool or an optional one.
The plain machine is this one with those tools taken off PATH (each named below); the test
fails when the build names one of them as required.

Usage: test-setup-plain.py SOURCE_DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile

# Installed by `install-packages.sh --tests` only, or by nothing at all on a fresh Debian 12.
ABSENT = {
    "xvfb-run", "Xvfb", "xauth", "clang", "clang-14", "sudo", "valgrind",
    "desktop-file-validate", "update-desktop-database", "appstreamcli",
    "update-mime-database", "msgfmt", "import",
}


def main():
    source = sys.argv[1]
    meson = shutil.which("meson")
    if meson is None:
        print("meson not on PATH")
        sys.exit(77)
    with tempfile.TemporaryDirectory(prefix="latentlab-plain-") as top:
        bin_dir = os.path.join(top, "bin")
        os.mkdir(bin_dir)
        # every program on PATH but the absent ones, first found first, as a shell would
        for folder in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep):
            if not os.path.isdir(folder):
                continue
            for name in os.listdir(folder):
                target = os.path.join(folder, name)
                link = os.path.join(bin_dir, name)
                if name in ABSENT or os.path.lexists(link) or not os.access(target, os.X_OK):
                    continue
                os.symlink(target, link)
        env = dict(os.environ, PATH=bin_dir)
        for name in sorted(ABSENT):
            assert shutil.which(name, path=bin_dir) is None, name
        build = os.path.join(top, "build")
        result = subprocess.run([meson, "setup", build, source], env=env, capture_output=True,
                                text=True)
        if result.returncode != 0:
            sys.exit(f"meson setup failed without {', '.join(sorted(ABSENT))}:\n"
                     f"{result.stdout[-3000:]}{result.stderr[-3000:]}")
        print("meson setup succeeded without", ", ".join(sorted(ABSENT)))


if __name__ == "__main__":
    main()
