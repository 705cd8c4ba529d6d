#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The command line against issue 16's hostile uses: saves that must be refused before
training, interrupted and diverging runs that keep their work, exit statuses and data that does
not fit the model. Prints TAP. Usage: test-adversarial-cli.py PATH/TO/latentlab"""

import json
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

LATENTLAB = sys.argv[1] if len(sys.argv) > 1 else "latentlab"
results = []
SMALL = ["--data", "digits", "--hidden", "32", "--latent", "4"]


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(f"{'ok' if ok else 'not ok'} {len(results)} - {name}")
    if not ok and detail:
        for d in str(detail).splitlines()[:20]:
            print(f"# {d}")
    sys.stdout.flush()


def run(*args, timeout=120, cwd=None):
    t0 = time.monotonic()
    try:
        p = subprocess.run([LATENTLAB, *args], capture_output=True, text=True, timeout=timeout,
                           cwd=cwd)
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or "", f"timed out after {timeout} s", time.monotonic() - t0
    return p.returncode, p.stdout, p.stderr, time.monotonic() - t0


def one_line(err, *needles):
    lines = [l for l in err.splitlines() if l.strip()]
    return len(lines) == 1 and all(n in lines[0] for n in needles)


def test_save_checked_before_training(tmp):
    """--save DIR, --save '' and a name that cannot exist fail at once (a 200-epoch run would
    otherwise be lost at its end); a 250-byte name is legal and saves."""
    long_run = ["train", *SMALL, "--epochs", "200"]
    for value, status, needle in [(tmp, 1, "folder"), ("", 2, "empty"),
                                  (os.path.join(tmp, "n" * 256), 2, "256 bytes"),
                                  (os.path.join(tmp, "missing", "m.llm"), 1, "missing"),
                                  ("/proc/version", 1, "write-protected")]:
        code, out, err, secs = run(*long_run, "--save", value, timeout=30)
        check(f"--save {os.path.basename(value) [:20]!r} ({needle}): exit {status} before training", code == status and secs < 5
              and "epoch" not in out and one_line(err, "--save", needle),
              f"exit {code} after {secs:.1f} s\n{err}")
    name = os.path.join(tmp, "m" * 250)
    code, out, err, _ = run("train", *SMALL, "--epochs", "1", "--save", name)
    check("a 250-byte name saves", code == 0 and os.path.exists(name) and os.listdir(tmp) == ["m" * 250],
          f"exit {code}: {err} {os.listdir(tmp)}")
    os.unlink(name)


def train_then_signal(path, signals, settle=2.5):
    """Starts a long training run with --save, sends the signals once it trains; returns the
    process's status, its stderr and the seconds from the first signal to its end."""
    p = subprocess.Popen([LATENTLAB, "train", "--data", "digits", "--epochs", "500", "--save", path],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    # The first epoch line says that training is under way.
    line = p.stdout.readline()
    while line and not line.startswith("epoch") and time.monotonic() < deadline:
        line = p.stdout.readline()
    t0 = time.monotonic()
    for sig in signals:
        p.send_signal(sig)
        time.sleep(0.02)
    try:
        out, err = p.communicate(timeout=settle + 30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    return p.returncode, err, time.monotonic() - t0


def test_interrupt_saves(tmp):
    """Ctrl-C (and SIGTERM) during train --save stops at the end of the batch and saves what
    was trained; the process then dies of that signal, as a shell expects. A second Ctrl-C
    quits at once. No temporary file is left either way."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        path = os.path.join(tmp, f"stopped-{sig.name}.llm")
        code, err, secs = train_then_signal(path, [sig])
        check(f"{sig.name} during train --save: saved, died of the signal", code == -sig and
              os.path.exists(path) and "saved what was trained" in err and path in err and secs < 10,
              f"status {code} after {secs:.1f} s\n{err}")
        if os.path.exists(path):
            code, out, err, _ = run("eval", path, "--data", "digits", "--json")
            check(f"the model saved on {sig.name} loads and evaluates", code == 0, err)
            os.unlink(path)
    path = os.path.join(tmp, "twice.llm")
    code, err, secs = train_then_signal(path, [signal.SIGINT, signal.SIGINT])
    check("a second Ctrl-C quits at once", code == -signal.SIGINT and secs < 5,
          f"status {code} after {secs:.1f} s\n{err}")
    leftovers = [n for n in os.listdir(tmp) if n != "twice.llm"]
    check("no temporary file is left by interrupted saves", not leftovers, leftovers)
    if os.path.exists(path):
        os.unlink(path)


def test_divergence_keeps_finite_weights(tmp):
    """A run that diverges exits 1, and with --save keeps the last finite weights and says so."""
    path = os.path.join(tmp, "diverged.llm")
    code, out, err, _ = run("train", *SMALL, "--epochs", "3", "--lr", "1000", "--save", path)
    check("divergence: exit 1, the last finite weights saved and said",
          code == 1 and os.path.exists(path) and one_line(err, "last finite weights", path),
          f"exit {code}\n{err}")
    if os.path.exists(path):
        code, out, err, _ = run("eval", path, "--data", "digits", "--json")
        check("the weights kept after divergence evaluate to finite numbers",
              code == 0 and "null" not in out, out + err)


def write_png(path, w, h):
    """An 8-bit grey PNG of a gradient, filter 0 on every row."""
    raw = b"".join(b"\0" + bytes((x * 7 + y * 3) % 256 for x in range(w)) for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def write_csv(path, rows, factor=1.0):
    with open(path, "w") as f:
        for r in rows:
            f.write(",".join(f"{factor * v:.4f}" for v in r) + "\n")


def test_exit_statuses(tmp):
    """Usage errors exit 2 everywhere: the window's options, a model too large for the limits
    whatever its architecture (conv and LSTM exited 1), and interpolate's --steps beyond what
    one strip holds (accepted, then always failing with 1)."""
    for args in (["--bogus"], ["--data"]):
        code, out, err, _ = run(*args, timeout=30)
        check(f"window option error {' '.join(args)}: exit 2", code == 2, f"exit {code}\n{err}")
    for preset, hidden in (("undercomplete", "65536,65536"), ("conv", "4096,4096"),
                           ("sequence", "8192,8192")):
        code, out, err, secs = run("train", "--preset", preset, "--hidden", hidden, "--epochs", "1",
                                   timeout=60)
        check(f"{preset} with too many parameters: exit 2", code == 2 and one_line(err, "parameters"),
              f"exit {code} after {secs:.1f} s\n{err}")
    model = os.path.join(tmp, "digits.llm")
    code, out, err, _ = run("train", *SMALL, "--epochs", "1", "--save", model)
    code, out, err, _ = run("interpolate", model, "--data", "digits", "--from", "0", "--to", "1",
                            "--steps", "1000", "--out", os.path.join(tmp, "strip.png"))
    # 28-pixel images one pixel apart in a PNG at most 16384 wide: 565 of them.
    check("interpolate --steps 1000: exit 2 with the real bound", code == 2
          and one_line(err, "--steps 1000", "565") and not os.path.exists(os.path.join(tmp, "strip.png")),
          f"exit {code}\n{err}")
    code, out, err, _ = run("interpolate", model, "--data", "digits", "--from", "0", "--to", "1",
                            "--steps", "565", "--out", os.path.join(tmp, "strip.png"))
    check("interpolate --steps 565 (the bound) works", code == 0, err)


def test_csv_model_mismatches(tmp):
    """A model trained on an 8-column CSV refuses a picture (it "denoised" one in 1 x 8
    tiles), and reads another CSV in the scale it was trained with: a file of the same rows
    doubled was silently rescaled by its own range into the very same numbers."""
    rng = random.Random(1)
    rows = [[rng.uniform(0, 10) for _ in range(8)] for _ in range(400)]
    a, b = os.path.join(tmp, "a.csv"), os.path.join(tmp, "b.csv")
    write_csv(a, rows)
    write_csv(b, rows, 2.0)
    model = os.path.join(tmp, "csv.llm")
    code, out, err, _ = run("train", "--data", a, "--epochs", "3", "--hidden", "16", "--latent", "2",
                            "--save", model)
    check("a model trains on an 8-column CSV", code == 0, err)
    png = os.path.join(tmp, "photo.png")
    write_png(png, 64, 48)
    code, out, err, _ = run("denoise", model, "--in", png, "--out", os.path.join(tmp, "out.png"))
    check("the CSV model refuses a PNG for denoise --in", code == 1
          and one_line(err, png, "CSV") and not os.path.exists(os.path.join(tmp, "out.png")),
          f"exit {code}\n{err}")
    code, out, err, _ = run("eval", model, "--data", png)
    check("the CSV model refuses a PNG for --data", code == 1 and one_line(err, png), f"exit {code}\n{err}")
    code, out_a, err_a, _ = run("eval", model, "--data", a, "--json")
    code_b, out_b, err_b, _ = run("eval", model, "--data", b, "--json")

    sse_a = json.loads(out_a)["test_sse_per_image"] if code == 0 else None
    sse_b = json.loads(out_b)["test_sse_per_image"] if code_b == 0 else None
    check("another CSV is read in the model's scale, and said so", code == 0 and code_b == 0
          and sse_b is not None and sse_b > 2 * sse_a and "model's scale" in err_b and b in err_b
          and "model's scale" not in err_a, f"{sse_a} {sse_b}\n{err_a}\n{err_b}")


def test_csv_says_what_was_read(tmp):
    """A CSV's rows, columns, header and label column are said in one line on stderr: a
    header taken for data or a label trained on as a feature shows before the run."""
    cases = [("plain.csv", "1,2,3\n4,5,6\n7,8,9\n", "read 3 rows of 3 values; no header; no label column"),
             ("named.csv", "x,y,label\n1,2,a\n3,4,b\n5,6,a\n",
              "read 3 rows of 2 values; a header row; labels from column 3"),
             ("pandas.csv", ",x,y\n0,1,2\n1,3,4\n2,5,6\n",
              "read 3 rows of 2 values; a header row; no label column; column 1 (a row index) skipped"),
             ("savetxt.csv", "# label,a,b\n0,1,2\n1,3,4\n0,5,6\n",
              "read 3 rows of 2 values; a '#' header (numpy savetxt); labels from column 1")]
    for name, text, expect in cases:
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(text)
        code, out, err, _ = run("train", "--data", path, "--epochs", "1", "--hidden", "4", "--latent", "1")
        check(f"{name}: what was read is said", code == 0 and f"{path}: {expect}" in err, f"exit {code}\n{err}")


def test_export_latent_all_or_nothing(tmp):
    """export-latent writes its set into a temporary folder and moves it in whole: a failure
    half-way (here a folder where sprite.png goes) left new vectors beside the old sprite."""
    model = os.path.join(tmp, "m.llm")
    run("train", *SMALL, "--epochs", "1", "--save", model)
    out = os.path.join(tmp, "set")
    code, _, err, _ = run("export-latent", model, "--data", "digits", "--out", out)
    check("export-latent into a new folder", code == 0 and sorted(os.listdir(out)) == [
        "metadata.tsv", "projector_config.pbtxt", "sprite.png", "vectors.tsv"], err)
    with open(os.path.join(out, "vectors.tsv"), "w") as f:
        f.write("old\n")
    os.unlink(os.path.join(out, "sprite.png"))
    os.mkdir(os.path.join(out, "sprite.png"))
    code, _, err, _ = run("export-latent", model, "--data", "digits", "--out", out)
    with open(os.path.join(out, "vectors.tsv")) as f:
        kept = f.read() == "old\n"
    check("a failed export-latent leaves the old set whole and no temporary folder",
          code == 1 and kept and one_line(err, "sprite.png") and sorted(os.listdir(tmp)) == ["m.llm", "set"],
          f"exit {code}, old vectors kept: {kept}, {os.listdir(tmp)}\n{err}")


def test_long_class_names(tmp):
    """Class names come from sub-folders whole: two names alike in their first 31 characters
    showed as one class."""
    data = os.path.join(tmp, "shapes")
    names = ["a-very-long-class-name-for-circles-drawn-by-hand",
             "a-very-long-class-name-for-circles-drawn-by-machine"]
    for c, name in enumerate(names):
        os.makedirs(os.path.join(data, name))
        for i in range(12):
            write_png(os.path.join(data, name, f"{i}.png"), 8, 8)
    model = os.path.join(tmp, "m.llm")
    code, _, err, _ = run("train", "--data", data, "--epochs", "1", "--hidden", "8", "--latent", "2",
                          "--save", model)
    out = os.path.join(tmp, "set")
    code2, _, err2, _ = run("export-latent", model, "--data", data, "--out", out, "--split", "all")
    classes = set()
    if code == 0 and code2 == 0:
        with open(os.path.join(out, "metadata.tsv")) as f:
            classes = {line.rstrip("\n").split("\t")[2] for line in list(f)[1:]}
    check("sub-folder names are class names in full", classes == set(names), f"{classes}\n{err}{err2}")


def test_destinations_checked_first(tmp):
    """Every command that writes a file refuses a destination it cannot write before its work
    (a t-SNE of the test split takes seconds, a model's import reads the whole file), with one
    line that names the option."""
    model = os.path.join(tmp, "m.llm")
    code, _, err, _ = run("train", *SMALL, "--epochs", "1", "--save", model)
    check("a small model to write from", code == 0, err)
    image = os.path.join(tmp, "in.png")
    write_png(image, 28, 28)
    missing = os.path.join(tmp, "missing")
    commands = [
        ("project", ["project", model, "--data", "digits", "--method", "tsne", "--out"], "out"),
        ("import", ["import", os.path.join(tmp, "absent.safetensors"), "--save"], "save"),
        ("export", ["export", model, "--format", "safetensors", "--out"], "out"),
        ("generate", ["generate", model, "--n", "16", "--out"], "out"),
        ("interpolate", ["interpolate", model, "--data", "digits", "--from", "0", "--to", "1",
                         "--out"], "out"),
        ("denoise", ["denoise", model, "--in", image, "--out"], "out"),
    ]
    for name, args, option in commands:
        code, out, err, secs = run(*args, os.path.join(missing, "x"), timeout=60)
        check(f"{name}: --{option} into a missing folder refused first, exit 1",
              code == 1 and secs < 5 and one_line(err, f"--{option}", "cannot be reached")
              and not os.path.exists(missing), f"exit {code} after {secs:.1f} s\n{err}")


def test_large_model_says_so(tmp):
    """A model of tens of millions of parameters takes seconds before its first batch and its
    first progress line comes after an epoch: the command says so at once instead of staying
    silent (a conv --latent 65536 ran for minutes without a word)."""
    p = subprocess.Popen([LATENTLAB, "train", "--data", "digits", "--hidden", "13000", "--epochs", "1"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    t0 = time.monotonic()
    line = p.stderr.readline()
    secs = time.monotonic() - t0
    p.kill()
    p.communicate()
    check("a 21-million-parameter model is announced at once", secs < 5
          and "21 million parameters" in line and "--hidden" in line, f"after {secs:.1f} s: {line!r}")


def main():
    with tempfile.TemporaryDirectory(prefix="latentlab-adversarial-") as tmp:
        for test in (test_save_checked_before_training, test_interrupt_saves,
                     test_divergence_keeps_finite_weights, test_exit_statuses,
                     test_csv_model_mismatches, test_export_latent_all_or_nothing,
                     test_long_class_names, test_csv_says_what_was_read,
                     test_destinations_checked_first, test_large_model_says_so):
            sub = os.path.join(tmp, test.__name__)
            os.mkdir(sub)
            test(sub)
    print(f"1..{len(results)}")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
