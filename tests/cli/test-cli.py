#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The `latentlab` command line as ../../shared/CLI.md specifies it: help, exit codes, one-line
errors that name the file or option, the JSON keys of train and eval, and the subcommands that
use a saved model. Prints TAP. Usage: test-cli.py PATH/TO/latentlab"""

import gzip
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import zlib

LATENTLAB = sys.argv[1] if len(sys.argv) > 1 else "latentlab"
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    line = f"{'ok' if ok else 'not ok'} {len(results)} - {name}"
    print(line)
    if not ok and detail:
        for d in str(detail).splitlines()[:20]:
            print(f"# {d}")
    sys.stdout.flush()


def skip(name, reason):
    """A check that needs a test tool this machine lacks: reported, not counted as passed."""
    results.append(True)
    print(f"ok {len(results)} - {name} # SKIP {reason}")
    sys.stdout.flush()


def has_window():
    """A build with -Dgui=disabled says so instead of reading the window's options."""
    code, out, err = run("--bogus")
    return "this build has no window" not in err


def have_module(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False


def run(*args, timeout=120):
    p = subprocess.run([LATENTLAB, *args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def one_line_error(err, *needles):
    """An error is one line on stderr that names what is wrong."""
    lines = [l for l in err.splitlines() if l.strip()]
    return len(lines) == 1 and all(n in lines[0] for n in needles)


def json_lines(out):
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def finite(v):
    return isinstance(v, (int, float)) and math.isfinite(v)


COMMANDS = ["train", "eval", "denoise", "generate", "interpolate", "export-latent", "export", "import",
            "anomaly", "project", "datasets"]
# Small and short, so that the suite stays well under a minute.
SMALL = ["--data", "digits", "--epochs", "1", "--hidden", "64", "--latent", "8"]


def test_window_options():
    """--help lists every option the window takes, and the window's option errors exit 2
    before any display is needed."""
    source = os.path.join(os.environ.get("LATENTLAB_SOURCE_ROOT", "."), "app", "lab-application.c")
    text = open(source).read()
    table = text[text.index("lab_application_options[] = {"):]
    table = table[:table.index("{ NULL }")]
    names = [line.split('"')[1] for line in table.splitlines() if line.strip().startswith('{ "')]
    code, out, err = run("--help")
    missing = [n for n in names if f"  --{n}" not in out]
    check("--help lists the window options", code == 0 and len(names) >= 7 and not missing,
          f"missing: {missing}")
    for args, needle in ((["--bogus"], "--bogus"), (["--data"], "--data"),
                         (["--lesson", "nosuch"], "no bundled lesson named 'nosuch'")):
        code, out, err = run(*args)
        check(f"window option error {' '.join(args)} exits 2 with one line", code == 2 and one_line_error(err, needle),
              f"exit {code}: {err}")


def test_file_argument(tmp):
    """`latentlab FILE` takes an existing file to the window (whose option errors then
    apply), and a word that is neither a file nor a command is an unknown command."""
    path = os.path.join(tmp, "run.latentlab-session")
    open(path, "wb").close()
    code, out, err = run(path, "--bogus")
    check("an existing file goes to the window", code == 2 and one_line_error(err, "--bogus")
          and "unknown command" not in err, f"exit {code}: {err}")
    code, out, err = run(os.path.join(tmp, "missing.latentlab-session"))
    check("a missing file is an unknown command", code == 2 and one_line_error(err, "unknown command"),
          f"exit {code}: {err}")


def test_completion():
    """bash completion offers the commands, a command's options and the presets."""
    script = os.path.join(os.environ.get("LATENTLAB_SOURCE_ROOT", "."), "resources", "completion", "latentlab.bash")
    env = dict(os.environ, PATH=os.path.dirname(os.path.abspath(LATENTLAB)) + os.pathsep + os.environ["PATH"])
    for words, want in ((["latentlab", "imp"], {"import"}), (["latentlab", "import", "--"], {"--save", "--help"}),
                        (["latentlab", "train", "--preset", "c"], {"contractive", "conv", "conv-vae"}),
                        (["latentlab", "--pre"], {"--preset", "--presentation"}),
                        (["latentlab", "--lesson", "anom"], {"anomaly"}),
                        (["latentlab", "interpolate", "m.model", "--ch"], {"--channels"}),
                        (["latentlab", "eval", "m.model", "--channels", ""], {"1", "3"})):
        line = (f"source {script}; COMP_WORDS=({' '.join(words)}); COMP_CWORD={len(words) - 1}; "
                "_latentlab; echo ${COMPREPLY[@]}")
        p = subprocess.run(["bash", "-c", line], capture_output=True, text=True, env=env)
        got = set(p.stdout.split())
        check(f"completion of {' '.join(words)}", p.returncode == 0 and got == want, f"got {sorted(got)}")


def test_npy(tmp):
    """.npy datasets: uint8 images with labels from X-labels.npy, float vectors; Fortran order,
    object arrays and a truncated file are refused in one line that names the file."""
    def npy(path, descr, shape, payload, fortran=False):
        header = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {tuple(shape)}, }}"
        header += " " * (-(len(header) + 11) % 64) + "\n"
        with open(path, "wb") as f:
            f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload)
    images = os.path.join(tmp, "X.npy")
    npy(images, "|u1", (60, 8, 8), bytes((i * 7) % 256 for i in range(60 * 64)))
    npy(os.path.join(tmp, "X-labels.npy"), "<i8", (60,), b"".join(struct.pack("<q", i % 3) for i in range(60)))
    model = os.path.join(tmp, "npy.model")
    code, out, err = run("train", "--preset", "undercomplete", "--data", images, "--epochs", "1", "--hidden", "8",
                         "--latent", "2", "--save", model)
    check(".npy images train", code == 0, err)
    code, out, err = run("export-latent", model, "--data", images, "--out", os.path.join(tmp, "npy-latent"))
    labels = open(os.path.join(tmp, "npy-latent", "metadata.tsv")).read().splitlines()[1:] if code == 0 else []
    check(".npy labels come from X-labels.npy",
          len(labels) > 0 and all(int(l.split("\t")[1]) == int(l.split("\t")[0]) % 3 for l in labels), err)
    vectors = os.path.join(tmp, "V.npy")
    npy(vectors, "<f4", (40, 5), b"".join(struct.pack("<f", (i % 10) / 10) for i in range(200)))
    code, out, err = run("train", "--preset", "undercomplete", "--data", vectors, "--epochs", "1", "--hidden", "4",
                         "--latent", "2")
    check(".npy float vectors train", code == 0, err)
    # Colour images with their channels last (NumPy) or second (PyTorch): the same pixels.
    pixels = [[[[(n * 31 + y * 7 + x * 3 + c * 85) % 256 for c in range(3)] for x in range(6)] for y in range(4)]
              for n in range(30)]
    last, second = os.path.join(tmp, "last.npy"), os.path.join(tmp, "second.npy")
    npy(last, "|u1", (30, 4, 6, 3), bytes(v for n in pixels for row in n for px in row for v in px))
    npy(second, "|u1", (30, 3, 4, 6), bytes(n[y][x][c] for n in pixels for c in range(3) for y in range(4)
                                             for x in range(6)))
    colour = os.path.join(tmp, "colour.model")
    code, out, err = run("train", "--preset", "undercomplete", "--data", last, "--epochs", "1", "--hidden", "8",
                         "--latent", "2", "--save", colour)
    check(".npy N x H x W x 3 trains", code == 0, err)
    codes = {}
    for name, path in (("last", last), ("second", second)):
        code, out, err = run("export-latent", colour, "--data", path, "--out", os.path.join(tmp, "npy-" + name))
        codes[name] = open(os.path.join(tmp, "npy-" + name, "vectors.tsv")).read() if code == 0 else err
    # The model, of 3 x 4 x 6 inputs, refuses any other shape: both files are read as that
    # (export-latent writes the test split, distinct images).
    check(".npy channels last and second read the same pixels",
          codes["last"] == codes["second"] and len(set(codes["last"].splitlines())) > 1, codes)
    bad = os.path.join(tmp, "bad.npy")
    for what, args in (("Fortran order", ("<f8", (4, 2, 2), bytes(8 * 16), True)),
                       ("dtype", ("|O", (4, 2), bytes(64))),
                       ("bytes of data", ("|u1", (4, 2, 2), bytes(15))),
                       ("shape 4 x 5 x 6 x 7", ("|u1", (4, 5, 6, 7), bytes(840))),
                       ("more than 4 sizes", ("|u1", (4, 2, 2, 3, 1), bytes(48))),
                       ("dtype '<i4'", ("<i4", (4, 2, 2), bytes(64)))):
        npy(bad, *args)
        code, out, err = run("train", "--preset", "undercomplete", "--data", bad, "--epochs", "1")
        check(f".npy refused: {what}", code == 1 and one_line_error(err, "bad.npy", what), f"exit {code}: {err}")


def test_datasets():
    """`datasets` lists the built-in datasets of --data without loading them: what each holds,
    and whether it is here (Fashion-MNIST follows LATENTLAB_FASHION_MNIST_DIR)."""
    code, out, err = run("datasets", "--json")
    rows = [json.loads(l) for l in out.splitlines()] if code == 0 else []
    by_name = {r["name"]: r for r in rows}
    check("datasets --json: one object per built-in dataset",
          [r["name"] for r in rows] == ["digits", "fashion", "sines", "ecg", "shapes"]
          and all(set(r) == {"name", "title", "kind", "samples", "channels", "height", "width", "available",
                             "description"} for r in rows), f"exit {code}\n{out}{err}")
    check("datasets --json: digits and shapes as they load",
          rows != [] and [by_name["digits"][k] for k in ("kind", "samples", "channels", "height", "width",
                                                        "available")] == ["images", 10000, 1, 28, 28, True]
          and [by_name["shapes"][k] for k in ("samples", "channels", "height", "width")] == [12000, 3, 32, 32]
          and by_name["ecg"]["kind"] == "sequences", out)
    missing = dict(os.environ, LATENTLAB_FASHION_MNIST_DIR="/nonexistent/fashion")
    p = subprocess.run([LATENTLAB, "datasets", "--json"], capture_output=True, text=True, env=missing)
    rows = [json.loads(l) for l in p.stdout.splitlines()] if p.returncode == 0 else []
    check("datasets --json: Fashion-MNIST's files missing make it unavailable",
          [r["available"] for r in rows] == [True, False, True, True, True], p.stdout + p.stderr)
    p = subprocess.run([LATENTLAB, "datasets"], capture_output=True, text=True, env=missing)
    lines = p.stdout.splitlines()
    check("datasets: one line each, the missing one said so",
          p.returncode == 0 and len(lines) == 5 and lines[1].startswith("fashion") and "not installed" in lines[1]
          and "not installed" not in lines[0] and "3 x 32 x 32" in lines[4], p.stdout + p.stderr)
    code, out, err = run("datasets", "digits")
    check("datasets takes no argument", code == 2 and one_line_error(err, "digits"), f"exit {code}\n{err}")


def test_help():
    for cmd in COMMANDS:
        code, out, err = run(cmd, "--help")
        check(f"{cmd} --help exits 0 with a usage", code == 0 and out.startswith("Usage: latentlab " + cmd),
              f"exit {code}\n{out}{err}")
        code, out2, err = run("help", cmd)
        check(f"help {cmd} prints the same", code == 0 and out2 == out, f"exit {code}")
    code, out, err = run("--help")
    check("--help lists every command", code == 0 and all(c in out for c in COMMANDS), out)
    code, out, err = run("--version")
    check("--version", code == 0 and out.startswith("latentlab "), out + err)
    code, out, err = run("train", "--help")
    check("train --help lists the model options",
          all(f"--{o}" in out for o in ["preset", "data", "latent", "hidden", "epochs", "batch", "lr", "seed",
                                        "threads", "l1", "rho", "beta", "contractive", "noise", "kl-beta",
                                        "warmup", "json", "save"]), out)


def test_usage_errors():
    cases = [
        (["train", "--bogus"], ["--bogus"]),
        (["train", "--lr", "abc"], ["--lr", "abc"]),
        (["train", "--epochs", "0"], ["--epochs", "0"]),
        (["train", "--latent", "-3"], ["--latent", "-3"]),
        (["train", "--hidden", "12,x"], ["--hidden", "12,x"]),
        (["train", "--noise", "purple:0.3"], ["purple"]),
        (["train", "--preset", "huge"], ["huge"]),
        (["train", "--lr"], ["--lr"]),
        (["train", "--json=yes"], ["--json"]),
        (["eval"], ["FILE"]),
        (["eval", "/nonexistent.model"], ["--data"]),
        (["eval", "x.model", "--data", "digits", "--denoise", "loud:1"], ["loud"]),
        (["generate", "x.model", "--n", "many", "--out", "g.png"], ["--n", "many"]),
        (["export", "x.model", "--format", "onnx", "--out", "x.onnx"], ["--format", "onnx"]),
        (["frobnicate"], ["frobnicate"]),
    ]
    for argv, needles in cases:
        code, out, err = run(*argv)
        check(f"{' '.join(argv)}: exit 2 naming {needles[0]}", code == 2 and one_line_error(err, *needles),
              f"exit {code}\nstderr: {err}")


def write_idx_images(path, n, rows, cols, magic=0x803, compress=False):
    header = struct.pack(">IIII", magic, n, rows, cols)
    data = header + bytes((i * 37) % 256 for i in range(n * rows * cols))
    if compress:
        data = gzip.compress(data)
    with open(path, "wb") as f:
        f.write(data)
    return data


def test_bad_data(tmp):
    trunc = os.path.join(tmp, "truncated-images-idx3-ubyte.gz")
    data = write_idx_images(trunc, 50, 28, 28, compress=True)
    with open(trunc, "wb") as f:
        f.write(data[: len(data) // 2])
    code, out, err = run("train", "--data", trunc, "--epochs", "1")
    check("a truncated .gz: exit 1 naming the file", code == 1 and one_line_error(err, trunc),
          f"exit {code}\nstderr: {err}")

    magic = os.path.join(tmp, "wrong-magic-idx3-ubyte")
    write_idx_images(magic, 10, 28, 28, magic=0x1234)
    code, out, err = run("train", "--data", magic, "--epochs", "1")
    check("a wrong magic number: exit 1 naming the file", code == 1 and one_line_error(err, magic),
          f"exit {code}\nstderr: {err}")

    absurd = os.path.join(tmp, "absurd-idx3-ubyte")
    with open(absurd, "wb") as f:
        f.write(struct.pack(">IIII", 0x803, 0x7FFFFFFF, 60000, 60000))
    code, out, err = run("train", "--data", absurd, "--epochs", "1")
    check("absurd dimensions: exit 1 naming the file", code == 1 and one_line_error(err, absurd),
          f"exit {code}\nstderr: {err}")

    missing = os.path.join(tmp, "no-such-file.idx")
    code, out, err = run("train", "--data", missing, "--epochs", "1")
    check("a missing file: exit 1 naming it", code == 1 and one_line_error(err, missing),
          f"exit {code}\nstderr: {err}")


def test_train_eval(tmp):
    model = os.path.join(tmp, "small.model")
    code, out, err = run("train", *SMALL, "--seed", "3", "--json", "--save", model)
    check("train --json exits 0", code == 0, f"exit {code}\n{err}")
    try:
        lines = json_lines(out)
    except json.JSONDecodeError as e:
        check("train --json prints JSON lines", False, f"{e}\n{out}")
        return None
    check("one line per epoch, then the last", len(lines) == 2, out)
    epoch = lines[0]
    keys_ok = (set(["epoch", "train_loss", "val_loss", "terms", "samples_per_s"]) <= set(epoch)
               and set(["reconstruction", "sparsity", "contractive", "kl"]) <= set(epoch.get("terms", {})))
    check("the epoch line has the keys of CLI.md", keys_ok, json.dumps(epoch))
    check("its values are finite numbers", keys_ok and epoch["epoch"] == 1 and finite(epoch["train_loss"])
          and finite(epoch["val_loss"]) and epoch["samples_per_s"] > 0
          and all(finite(v) for v in epoch["terms"].values()), json.dumps(epoch))
    last = lines[-1]
    check("the last line is {\"done\":true,\"seconds\":T,...}",
          last.get("done") is True and finite(last.get("seconds")) and last["seconds"] > 0, json.dumps(last))
    check("--save wrote the model", os.path.getsize(model) > 1000)

    code, out, err = run("eval", model, "--data", "digits", "--json")
    try:
        ev = json_lines(out)
    except json.JSONDecodeError as e:
        ev = []
    check("eval --json gives one object", code == 0 and len(ev) == 1, f"exit {code}\n{out}{err}")
    if ev:
        e = ev[0]
        check("eval keys", all(finite(e.get(k)) and e[k] > 0 for k in
                               ["test_sse_per_image", "test_mse_per_pixel", "pca_sse_per_image"]), json.dumps(e))
        check("MSE per pixel is SSE over 784",
              abs(e["test_mse_per_pixel"] * 784 - e["test_sse_per_image"]) < 1e-4 * e["test_sse_per_image"],
              json.dumps(e))
        check("a dense non-linear model has no neg_elbo or angle",
              "neg_elbo" not in e and "pca_principal_angle_deg" not in e, json.dumps(e))
    code, out2, err = run("eval", model, "--data", "digits", "--json")
    check("eval is deterministic", code == 0 and out2 == out, out + out2)

    code, out, err = run("eval", model, "--data", "digits", "--denoise", "gaussian:0.3", "--json")
    e = json_lines(out)[0] if code == 0 else {}
    check("eval --denoise gives the PSNR keys",
          all(finite(e.get(k)) for k in ["psnr_noisy", "psnr_model", "psnr_median", "psnr_gaussian"])
          and e["psnr_median"] > e["psnr_noisy"], f"exit {code}\n{out}{err}")

    code, out, err = run("eval", model, "--data", "digits", "--measure", "test_error,code_active,kl", "--json")
    e = json_lines(out)[0] if code == 0 else {}
    m = e.get("measures", {})
    check("eval --measure gives the lesson metrics asked for, as the lessons measure them",
          sorted(m) == ["code_active", "kl", "test_error"] and finite(m["test_error"])
          and abs(m["test_error"] - e["test_sse_per_image"]) <= 1e-4 * e["test_sse_per_image"]
          and 0 <= m["code_active"] <= 1 and m["kl"] is None, f"exit {code}\n{out}{err}")
    code, out, err = run("eval", model, "--data", "digits", "--measure", "test_error,loudness")
    check("eval --measure with an unknown metric: exit 2 naming it",
          code == 2 and one_line_error(err, "loudness", "prior_error"), f"exit {code}\n{err}")

    code, out, err = run("eval", model, "--data", "sines")
    check("a dataset of another shape: exit 1 naming it", code == 1 and one_line_error(err, "sines"),
          f"exit {code}\n{err}")
    return model


def test_shapes_factors(tmp, digits_model):
    """eval on shapes adds the disentanglement score; data without factors has none."""
    model = os.path.join(tmp, "shapes.model")
    code, out, err = run("train", "--preset", "vae", "--data", "shapes", "--epochs", "1", "--hidden", "64",
                         "--latent", "6", "--save", model)
    check("train on shapes exits 0", code == 0, f"exit {code}\n{err}")
    code, out, err = run("eval", model, "--data", "shapes", "--json")
    e = json_lines(out)[0] if code == 0 and out.strip() else {}
    factors = ["shape", "hue", "size", "x", "y", "rotation"]
    check("eval on shapes gives mig in [0, 1] with its per-factor gaps",
          finite(e.get("mig")) and 0 <= e["mig"] <= 1
          and sorted(e.get("mig_per_factor", {})) == sorted(factors)
          and abs(sum(e["mig_per_factor"].values()) / len(factors) - e["mig"]) < 1e-6
          and all(1 <= e.get("factor_dim", {}).get(f, 0) <= 6 for f in factors)
          and all(0 <= e.get("factor_mi", {}).get(f, -1) <= 1 for f in factors), f"exit {code}\n{out}{err}")
    code, out, err = run("eval", model, "--data", "shapes")
    check("eval's text names the gap and each factor's information",
          code == 0 and "(MIG)" in out and all(t in out for t in ["x position", "rotation", "gap"]), out + err)
    if digits_model:
        code, out, err = run("eval", digits_model, "--data", "digits", "--json")
        check("data without factors has no mig", code == 0 and "mig" not in json_lines(out)[0], out + err)


def test_damaged_model(tmp, model):
    with open(model, "rb") as f:
        blob = f.read()
    flipped = os.path.join(tmp, "flipped.model")
    with open(flipped, "wb") as f:
        f.write(blob[: len(blob) // 2] + bytes([blob[len(blob) // 2] ^ 0x40]) + blob[len(blob) // 2 + 1:])
    truncated = os.path.join(tmp, "truncated.model")
    with open(truncated, "wb") as f:
        f.write(blob[: len(blob) * 2 // 3])
    for path in [flipped, truncated, os.path.join(tmp, "missing.model")]:
        code, out, err = run("eval", path, "--data", "digits")
        check(f"eval of {os.path.basename(path)}: exit 1 naming it", code == 1 and one_line_error(err, path),
              f"exit {code}\n{err}")


def run_peak_mb(*args, timeout=120):
    """Runs latentlab; returns its exit code, stderr and peak resident memory in MiB."""
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        err_fd = os.open(os.path.join(tempfile.gettempdir(), f"latentlab-peak-{os.getpid()}"),
                         os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(devnull, 1)
        os.dup2(err_fd, 2)
        os.execv(LATENTLAB, [LATENTLAB, *args])
    _, status, usage = os.wait4(pid, 0)
    err_path = os.path.join(tempfile.gettempdir(), f"latentlab-peak-{pid}")
    with open(err_path) as f:
        err = f.read()
    os.unlink(err_path)
    return os.waitstatus_to_exitcode(status), err, usage.ru_maxrss // 1024


def test_hostile_data(tmp, model):
    # A FIFO blocks in open() until a writer comes: refused at once, by name.
    fifo = os.path.join(tmp, "pipe-images-idx3-ubyte")
    os.mkfifo(fifo)
    try:
        code, out, err = run("eval", model, "--data", fifo, timeout=20)
        check("a FIFO as --data: exit 1 at once, naming it",
              code == 1 and one_line_error(err, fifo, "FIFO"), f"exit {code}\n{err}")
    except subprocess.TimeoutExpired:
        check("a FIFO as --data: exit 1 at once, naming it", False, "blocked for 20 s")
    # 100,000 images of 32 x 32 in 100 KB of gzip: the model (28 x 28) refuses them from
    # the header, before 100 MB are inflated and 400 MB of floats built.
    bomb = os.path.join(tmp, "other-images-idx3-ubyte.gz")
    with gzip.open(bomb, "wb", compresslevel=1) as f:
        f.write(struct.pack(">IIII", 0x803, 100000, 32, 32))
        for _ in range(100):
            f.write(bytes(1000 * 32 * 32))
    code, err, peak = run_peak_mb("eval", model, "--data", bomb)
    check("another shape is refused from the header, in little memory",
          code == 1 and one_line_error(err, bomb, "32 x 32", "28 x 28") and peak < 150,
          f"exit {code}, peak {peak} MiB\n{err}")


def test_model_tools(tmp, model):
    grid = os.path.join(tmp, "grid.png")
    code, out, err = run("generate", model, "--n", "9", "--data", "digits", "--out", grid)
    check("generate writes a PNG", code == 0 and open(grid, "rb").read(8) == b"\x89PNG\r\n\x1a\n", err)
    code, out, err = run("generate", model, "--n", "9", "--out", grid)
    check("generate from a plain model without --data: exit 2", code == 2 and one_line_error(err, "--data"), err)

    strip = os.path.join(tmp, "strip.png")
    code, out, err = run("interpolate", model, "--data", "digits", "--from", "0", "--to", "9000", "--steps", "5",
                         "--out", strip)
    check("interpolate writes a strip", code == 0 and os.path.getsize(strip) > 0, err)
    code, out, err = run("interpolate", model, "--data", "digits", "--from", "0", "--to", "10000", "--out", strip)
    check("interpolate past the end: exit 2 naming --to", code == 2 and one_line_error(err, "--to"), err)

    out_dir = os.path.join(tmp, "projector")
    code, out, err = run("export-latent", model, "--data", "digits", "--out", out_dir)
    ok = code == 0
    if ok:
        vectors = open(os.path.join(out_dir, "vectors.tsv")).read().splitlines()
        meta = open(os.path.join(out_dir, "metadata.tsv")).read().splitlines()
        ok = (len(vectors) == 2000 and all(len(v.split("\t")) == 8 for v in vectors)
              and len(meta) == 2001 and meta[0].split("\t")[:2] == ["index", "label"]
              and open(os.path.join(out_dir, "sprite.png"), "rb").read(4) == b"\x89PNG")
    check("export-latent writes vectors.tsv, metadata.tsv and sprite.png", ok, f"exit {code}\n{err}")

    noisy_in = os.path.join(tmp, "digit-grid.png")
    run("generate", model, "--n", "4", "--data", "digits", "--out", noisy_in)
    den = os.path.join(tmp, "denoised.png")
    code, out, err = run("denoise", model, "--in", noisy_in, "--out", den, "--noise", "salt-pepper:0.1", "--json")
    d = json_lines(out)[0] if code == 0 else {}
    check("denoise writes the image and its PSNR", code == 0 and os.path.getsize(den) > 0
          and finite(d.get("psnr_noisy")) and finite(d.get("psnr_model")), f"exit {code}\n{out}{err}")
    code, out, err = run("denoise", model, "--in", os.path.join(tmp, "nope.png"), "--out", den)
    check("denoise of a missing PNG: exit 1 naming it", code == 1 and one_line_error(err, "nope.png"), err)
    code, out, err = run("denoise", model, "--in", noisy_in, "--out", den, "--ensemble")
    check("denoise --ensemble with a model of a fixed size: exit 1 naming the option",
          code == 1 and one_line_error(err, "--ensemble", "fully convolutional"), f"exit {code}\n{err}")


def test_families(tmp):
    vae = os.path.join(tmp, "vae.model")
    code, out, err = run("train", "--preset", "vae", *SMALL, "--save", vae)
    code, out, err = run("eval", vae, "--data", "digits", "--json") if code == 0 else (code, "", err)
    e = json_lines(out)[0] if code == 0 else {}
    check("eval of a VAE reports neg_elbo", finite(e.get("neg_elbo")) and e["neg_elbo"] > 0, f"{out}{err}")

    linear = os.path.join(tmp, "linear.model")
    code, out, err = run("train", "--preset", "linear", "--data", "digits", "--epochs", "1", "--latent", "4",
                         "--save", linear)
    code, out, err = run("eval", linear, "--data", "digits", "--json") if code == 0 else (code, "", err)
    e = json_lines(out)[0] if code == 0 else {}
    angle = e.get("pca_principal_angle_deg")
    check("eval of a linear model reports pca_principal_angle_deg", finite(angle) and 0 <= angle <= 90,
          f"{out}{err}")

    # The sparse preset's code is sparse: its units' mean activation settles near rho (0.05).
    sparse = os.path.join(tmp, "sparse.model")
    latent_dir = os.path.join(tmp, "sparse-latent")
    code, out, err = run("train", "--preset", "sparse", "--data", "digits", "--epochs", "5", "--save", sparse)
    code, out, err = (run("export-latent", sparse, "--data", "digits", "--out", latent_dir)
                      if code == 0 else (code, "", err))
    mean = float("nan")
    if code == 0:
        with open(os.path.join(latent_dir, "vectors.tsv")) as f:
            values = [float(v) for line in f for v in line.split()]
        mean = sum(values) / len(values)
    check("sparse preset: the code's mean activation is within twice rho", 0 < mean < 0.1,
          f"mean {mean}\n{err}")

    seq = os.path.join(tmp, "sines.model")
    code, out, err = run("train", "--data", "sines", "--epochs", "1", "--hidden", "32", "--latent", "4",
                         "--save", seq)
    code, out, err = run("eval", seq, "--data", "sines", "--json") if code == 0 else (code, "", err)
    e = json_lines(out)[0] if code == 0 else {}
    check("eval on sequence data reports test_mse and pca_mse",
          finite(e.get("test_mse")) and finite(e.get("pca_mse")), f"{out}{err}")

    code, out, err = run("train", *SMALL, "--optimizer", "sgd", "--lr", "100")
    check("divergence: exit 1 with what happened and what to try",
          code == 1 and one_line_error(err, "learning rate 100", "smaller"), f"exit {code}\n{err}")

    code, out, err = run("anomaly", *SMALL, "--preset", "undercomplete", "--normal", "1", "--json")
    a = json_lines(out)[0] if code == 0 else {}
    check("anomaly --json gives auroc_model and auroc_pca; a named preset is taken as it is",
          finite(a.get("auroc_model")) and finite(a.get("auroc_pca")) and 0.5 < a["auroc_model"] <= 1
          and a.get("latent") == 8,
          f"exit {code}\n{out}{err}")
    # Without --preset, the tuned settings; options given still apply on top of them.
    code, out, err = run("anomaly", "--data", "digits", "--epochs", "1", "--hidden", "64",
                         "--normal", "1", "--json")
    a = json_lines(out)[0] if code == 0 else {}
    check("anomaly without --preset: a code of 3, the options given on top",
          a.get("latent") == 3 and finite(a.get("auroc_model")), f"exit {code}\n{out}{err}")
    code, out, err = run("anomaly", *SMALL, "--normal", "eleven")
    check("anomaly with an unknown class: exit 2 naming it", code == 2 and one_line_error(err, "eleven"), err)



def write_grey_png(path, img):
    """An 8-bit greyscale PNG of a float image in [0, 1] (numpy), filter 0 on every row."""
    import numpy as np
    h, w = img.shape
    raw = np.zeros((h, w + 1), dtype=np.uint8)
    raw[:, 1:] = np.clip(np.rint(img * 255), 0, 255).astype(np.uint8)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6)) + chunk(b"IEND", b""))


def read_grey_png(path):
    """An 8-bit grey, non-interlaced PNG as floats in [0, 1], read independently of the
    program: every chunk's CRC is checked and every row unfiltered."""
    import numpy as np
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] != zlib.crc32(kind + body):
            raise ValueError(f"{path}: bad CRC in {kind}")
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    w, h, depth, colour, _, _, interlace = ihdr
    if (depth, colour, interlace) != (8, 0, 0):
        raise ValueError(f"{path}: not 8-bit grey without interlacing: {ihdr}")
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(h, w + 1)
    out = np.zeros((h, w), dtype=np.int64)
    prev = np.zeros(w, dtype=np.int64)
    for y in range(h):
        f, line = raw[y, 0], raw[y, 1:].astype(np.int64)
        if f == 0:
            row = line
        elif f == 1:
            row = np.cumsum(line) & 255
        elif f == 2:
            row = (line + prev) & 255
        else:  # Average and Paeth depend on the pixel just decoded to the left
            row = np.zeros(w, dtype=np.int64)
            a = 0
            for x in range(w):
                b, c = int(prev[x]), int(prev[x - 1]) if x else 0
                if f == 3:
                    p = (a + b) // 2
                else:
                    pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                    p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                a = row[x] = (int(line[x]) + p) & 255
        out[y] = row
        prev = row
    return out.astype(np.float64) / 255


def test_photo_denoise(tmp):
    """A photograph-sized greyscale PNG: a denoiser trained on its own patches gives back a
    PNG of the same size, cleaner than the noisy input."""
    import time
    import numpy as np
    h, w = 768, 1024
    y, x = np.mgrid[0:h, 0:w]
    clean = np.clip(0.5 + 0.25 * np.sin(x / 37.0) * np.cos(y / 53.0)
                    + 0.2 * (((x - 500) ** 2 + (y - 380) ** 2) < 150 ** 2), 0, 1)
    photo = os.path.join(tmp, "photo.png")
    write_grey_png(photo, clean)
    clean = read_grey_png(photo)  # the 8-bit image the program reads

    model = os.path.join(tmp, "photo-denoiser.model")
    code, out, err = run("train", "--preset", "denoising", "--data", photo, "--epochs", "2", "--seed", "1",
                         "--save", model)
    check("train the denoising preset on the patches of a 1024 x 768 PNG", code == 0, f"exit {code}\n{err}")
    if code != 0:
        return
    den = os.path.join(tmp, "photo-denoised.png")
    start = time.monotonic()
    code, out, err = run("denoise", model, "--in", photo, "--out", den, "--noise", "gaussian:0.2", "--json")
    seconds = time.monotonic() - start
    print(f"# denoise of a 1024 x 768 PNG: {seconds:.2f} s")
    d = json_lines(out)[0] if code == 0 else {}
    check("denoise of a 1024 x 768 PNG exits 0 and says its size",
          code == 0 and d.get("width") == w and d.get("height") == h, f"exit {code}\n{out}{err}")
    try:
        result = read_grey_png(den)
    except (OSError, ValueError, KeyError) as e:
        check("the denoised PNG reads back", False, str(e))
        return
    check("the denoised PNG is 1024 x 768 grey", result.shape == (h, w), str(result.shape))
    psnr = 10 * math.log10(1 / float(np.mean((result - clean) ** 2)))
    check("it is cleaner than the noisy input (PSNR against the clean image, read back)",
          psnr > d["psnr_noisy"] + 3 and abs(psnr - d["psnr_model"]) < 0.5,
          f"read back {psnr:.2f} dB, reported {d['psnr_model']:.2f}, noisy {d['psnr_noisy']:.2f}")
    print(f"# PSNR noisy {d['psnr_noisy']:.2f} dB, denoised {psnr:.2f} dB (read back)")


def test_denoising_preset(tmp):
    """The denoising preset against the 3x3 median filter on the test digits. Its defaults (40
    epochs) beat it by 4.8 dB on salt and pepper 0.2 and 4.4 dB on Gaussian 0.5; the first 6
    epochs, on two threads so that the run is the same on any machine, already by 2.7 and 4.0."""
    model = os.path.join(tmp, "denoiser.model")
    code, out, err = run("train", "--preset", "denoising", "--data", "digits", "--epochs", "6",
                         "--threads", "2", "--save", model)
    check("train the denoising preset for 6 epochs", code == 0, f"exit {code}\n{err}")
    if code != 0:
        return
    for noise, margin in (("salt-pepper:0.2", 2.0), ("gaussian:0.5", 3.5)):
        code, out, err = run("eval", model, "--data", "digits", "--denoise", noise, "--json")
        e = json_lines(out)[0] if code == 0 else {}
        gain = e.get("psnr_model", 0) - e.get("psnr_median", 0)
        print(f"# denoising preset, 6 epochs, {noise}: model {e.get('psnr_model', 0):.2f} dB, "
              f"3x3 median {e.get('psnr_median', 0):.2f} dB")
        check(f"after 6 epochs the denoising preset beats the median filter by {margin} dB on {noise}",
              code == 0 and gain >= margin, f"exit {code}\n{out}{err}")


def test_project(tmp, model):
    planes = {}
    for method, extra in [("pca", []), ("tsne", ["--iterations", "300", "--seed", "4"])]:
        tsv = os.path.join(tmp, f"{method}.tsv")
        code, out, err = run("project", model, "--data", "digits", "--method", method, *extra, "--out", tsv,
                             "--json")
        p = json_lines(out)[0] if code == 0 else {}
        check(f"project --method {method} --json has the keys of CLI.md",
              p.get("method") == method and p.get("n") == 2000 and finite(p.get("seconds"))
              and 0 < p.get("trustworthiness", 0) <= 1 and 0 < p.get("knn5_accuracy", 0) <= 1,
              f"exit {code}\n{out}{err}")
        rows = open(tsv).read().splitlines() if code == 0 else []
        check(f"project --method {method} --out writes x, y, label for each test sample",
              len(rows) == 2001 and rows[0] == "x\ty\tlabel"
              and all(len(r.split("\t")) == 3 and all(finite(float(v)) for v in r.split("\t")[:2])
                      and 0 <= int(r.split("\t")[2]) <= 9 for r in rows[1:]), rows[:3])
        planes[method] = (p, rows)
    pca, tsne = planes["pca"][0], planes["tsne"][0]
    check("t-SNE keeps the neighbourhoods better than PCA",
          tsne.get("trustworthiness", 0) > pca.get("trustworthiness", 1)
          and tsne.get("knn5_accuracy", 0) > pca.get("knn5_accuracy", 1), f"{pca}\n{tsne}")
    again = os.path.join(tmp, "again.tsv")
    code, out, err = run("project", model, "--data", "digits", "--method", "tsne", "--iterations", "300",
                         "--seed", "4", "--threads", "2", "--out", again)
    check("the same seed gives the same plane on 2 threads",
          code == 0 and open(again).read().splitlines() == planes["tsne"][1], err)
    code, out, err = run("project", model, "--data", "digits", "--method", "umap")
    check("project --method umap: exit 2 naming --method", code == 2 and one_line_error(err, "--method"), err)
    code, out, err = run("project", model, "--data", "digits", "--perplexity", "0")
    check("project --perplexity 0: exit 2 naming it", code == 2 and one_line_error(err, "--perplexity"), err)
    code, out, err = run("project", model, "--data", "sines")
    check("project on data of another shape: exit 1 naming it", code == 1 and one_line_error(err, "sines"), err)


def png_colour_type(path):
    """The colour type byte of a PNG's IHDR: 0 grey, 2 RGB."""
    with open(path, "rb") as f:
        head = f.read(26)
    return head[25] if head[:8] == b"\x89PNG\r\n\x1a\n" else -1


def test_colour_folder(tmp):
    """A folder of colour PNG and JPEG images of several sizes in two sub-folders, and a text
    file: train the conv preset at 32 x 32, then generate, interpolate and denoise in colour."""
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(3)
    root = os.path.join(tmp, "photos")
    for cls, colour in (("warm", (220, 80, 30)), ("cool", (30, 90, 220))):
        os.makedirs(os.path.join(root, cls))
        for i in range(12):
            w, h = (int(v) for v in rng.integers(36, 90, 2))
            pixels = np.empty((h, w, 3), np.uint8)
            pixels[:] = rng.integers(150, 255, 3)
            r = min(w, h) // 4
            pixels[h // 2 - r:h // 2 + r, w // 2 - r:w // 2 + r] = colour
            name = os.path.join(root, cls, f"{i}.{'jpg' if i % 2 else 'png'}")
            Image.fromarray(pixels).save(name)
    with open(os.path.join(root, "warm", "notes.txt"), "w") as f:
        f.write("not an image")
    model = os.path.join(tmp, "colour.model")
    code, out, err = run("train", "--preset", "conv", "--data", root, "--image-size", "32", "--epochs", "2",
                         "--save", model)
    check("train conv on a folder of colour PNG and JPEG images of several sizes",
          code == 0 and "24 of 24 images resized to 32 x 32" in err and "1 file not PNG or JPEG skipped" in err,
          f"exit {code}\n{out}{err}")
    if code != 0:
        return
    grid = os.path.join(tmp, "colour-grid.png")
    code, out, err = run("generate", model, "--n", "4", "--data", root, "--out", grid)
    check("generate from a colour model writes an RGB PNG", code == 0 and png_colour_type(grid) == 2,
          f"exit {code}\n{err}")
    strip = os.path.join(tmp, "colour-strip.png")
    code, out, err = run("interpolate", model, "--data", root, "--from", "0", "--to", "20", "--steps", "4",
                         "--out", strip)
    check("interpolate loads the folder at the model's size and writes RGB", code == 0 and png_colour_type(strip) == 2,
          f"exit {code}\n{err}")
    photo = os.path.join(root, "cool", "1.jpg")
    den = os.path.join(tmp, "colour-denoised.png")
    code, out, err = run("denoise", model, "--in", photo, "--out", den)
    check("denoise a JPEG with a colour model writes an RGB PNG of its size",
          code == 0 and png_colour_type(den) == 2 and Image.open(den).size == Image.open(photo).size,
          f"exit {code}\n{err}")
    code, out, err = run("train", "--data", root, "--channels", "2")
    check("--channels 2 is a usage error", code == 2 and one_line_error(err, "--channels"), f"exit {code}\n{err}")
    # A grey model of the colour folder: eval and interpolate read it grey, by default or
    # with --channels 1, and refuse --channels 3 naming both shapes.
    grey = os.path.join(tmp, "grey.model")
    code, out, err = run("train", "--preset", "conv", "--data", root, "--image-size", "32", "--channels", "1",
                         "--epochs", "1", "--save", grey)
    check("train --channels 1 on a colour folder", code == 0, f"exit {code}\n{err}")
    for args in ((), ("--channels", "1")):
        code, out, err = run("eval", grey, "--data", root, *args, "--json")
        check(f"eval {' '.join(args) or 'without --channels'} reads the folder grey",
              code == 0 and json.loads(out)["test_mse_per_pixel"] > 0, f"exit {code}\n{err}")
    code, out, err = run("interpolate", grey, "--data", root, "--channels", "1", "--from", "0", "--to", "5",
                         "--steps", "3", "--out", strip)
    check("interpolate --channels 1 writes a grey strip", code == 0 and png_colour_type(strip) == 0,
          f"exit {code}\n{err}")
    for cmd, more in (("eval", ()), ("interpolate", ("--from", "0", "--to", "5", "--out", strip))):
        code, out, err = run(cmd, grey, "--data", root, "--channels", "3", *more)
        # The line before the error says how the folder was read.
        error = err.splitlines()[-1:]
        check(f"{cmd} --channels 3 on a grey model is refused naming both shapes",
              code == 1 and one_line_error("\n".join(error), "3 x 32 x 32", "1 x 32 x 32"), f"exit {code}\n{err}")
        code, out, err = run(cmd, grey, "--data", root, "--channels", "2", *more)
        check(f"{cmd} --channels 2 is a usage error", code == 2 and one_line_error(err, "--channels"),
              f"exit {code}\n{err}")
    code, out, err = run("train", "--data", "digits", "--image-size", "32")
    check("--image-size on digits is refused with a reason", code == 1 and one_line_error(err, "digits"),
          f"exit {code}\n{err}")


def test_photo_denoiser_preset(tmp):
    """The photo-denoiser preset on random patches of a folder of colour photos (PNG and
    JPEG of several sizes), then a colour photo of odd size, another than any it saw, denoised
    whole: an RGB PNG of the same size, cleaner than the noisy input."""
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(5)

    def photo(w, h):
        y, x = np.mgrid[0:h, 0:w]
        planes = [0.5 + 0.3 * np.sin(x / (9.0 + 4 * c) + c) * np.cos(y / (13.0 + 3 * c))
                  + 0.15 * (((x - w / 3) ** 2 + (y - h / 2) ** 2) < (h / 4) ** 2) for c in range(3)]
        return (np.clip(np.stack(planes, -1), 0, 1) * 255).round().astype(np.uint8)
    root = os.path.join(tmp, "colour-photos")
    os.makedirs(root)
    for i in range(3):
        w, h = (int(v) for v in rng.integers(90, 160, 2))
        Image.fromarray(photo(w, h)).save(os.path.join(root, f"{i}.{'jpg' if i == 1 else 'png'}"))
    model = os.path.join(tmp, "photo.model")
    code, out, err = run("train", "--preset", "photo-denoiser", "--data", root, "--patches", "600",
                         "--hidden", "12,12,12", "--epochs", "8", "--seed", "2", "--save", model)
    check("train photo-denoiser on random patches of a folder of colour photos",
          code == 0 and "colour-photos patches" in out, f"exit {code}\n{out}{err}")
    if code != 0:
        return
    w, h = 131, 77
    clean_path, den = os.path.join(tmp, "odd.png"), os.path.join(tmp, "odd-denoised.png")
    Image.fromarray(photo(w, h)).save(clean_path)
    code, out, err = run("denoise", model, "--in", clean_path, "--out", den, "--noise", "0.1", "--json")
    d = json_lines(out)[0] if code == 0 else {}
    check("denoise --noise 0.1 of an odd-sized colour photo: exit 0, its size in the JSON",
          code == 0 and d.get("width") == w and d.get("height") == h, f"exit {code}\n{out}{err}")
    if code != 0:
        return
    result = Image.open(den)
    check("the denoised photo is an RGB PNG of the same size",
          png_colour_type(den) == 2 and result.size == (w, h), f"{result.mode} {result.size}")
    clean = np.asarray(Image.open(clean_path), np.float64) / 255
    psnr = 10 * math.log10(1 / float(np.mean((np.asarray(result, np.float64) / 255 - clean) ** 2)))
    print(f"# photo-denoiser, 8 short epochs: noisy {d['psnr_noisy']:.2f} dB, denoised {psnr:.2f} dB")
    check("the denoised photo is cleaner than the noisy one (read back)",
          psnr > d["psnr_noisy"] + 2 and abs(psnr - d["psnr_model"]) < 0.5,
          f"read back {psnr:.2f} dB, reported {d['psnr_model']:.2f}, noisy {d['psnr_noisy']:.2f}")
    code, out, err = run("denoise", model, "--in", clean_path, "--out", den)
    check("without --noise it says the photo was denoised whole", code == 0 and "denoised whole" in out,
          f"exit {code}\n{out}{err}")
    # The mean over the photo's flips and quarter turns: the same noise, a cleaner result.
    code, out, err = run("denoise", model, "--in", clean_path, "--out", den, "--noise", "0.1", "--ensemble",
                         "--json")
    e = json_lines(out)[0] if code == 0 else {}
    print(f"# with --ensemble: {e.get('psnr_model', float('nan')):.2f} dB")
    check("denoise --ensemble: the same noisy photo, a better PSNR than one pass, its size",
          code == 0 and e.get("psnr_noisy") == d["psnr_noisy"] and e.get("psnr_model", 0) > d["psnr_model"]
          and Image.open(den).size == (w, h), f"exit {code}\n{out}{err}")
    code, out, err = run("train", "--preset", "photo-denoiser", "--data", root, "--patches", "5")
    check("--patches 5: a usage error naming it", code == 2 and one_line_error(err, "--patches"), err)
    code, out, err = run("train", "--preset", "photo-denoiser", "--data", root, "--seconds", "soon")
    check("--seconds soon: a usage error naming it", code == 2 and one_line_error(err, "--seconds"), err)
    code, out, err = run("train", "--preset", "photo-denoiser", "--data", "sines")
    check("photo-denoiser on time series is refused naming them", code == 2 and one_line_error(err, "sines"),
          f"exit {code}\n{err}")


def main():
    with tempfile.TemporaryDirectory(prefix="latentlab-cli-") as tmp:
        test_help()
        if has_window():
            test_window_options()
            test_file_argument(tmp)
        else:
            skip("window options and FILE", "this build has no window (-Dgui=disabled)")
        test_completion()
        test_datasets()
        test_npy(tmp)
        test_usage_errors()
        test_bad_data(tmp)
        model = test_train_eval(tmp)
        if model:
            test_damaged_model(tmp, model)
            test_model_tools(tmp, model)
            test_hostile_data(tmp, model)
            test_project(tmp, model)
        test_families(tmp)
        test_shapes_factors(tmp, model)
        if have_module("numpy") and have_module("PIL"):
            test_colour_folder(tmp)
            test_photo_denoiser_preset(tmp)
        else:
            skip("colour folder", "python3-numpy or python3-pil is not installed")
        if have_module("numpy"):
            test_photo_denoise(tmp)
        else:
            skip("photo denoise", "python3-numpy is not installed (tools/install-packages.sh --tests)")
        test_denoising_preset(tmp)
    print(f"1..{len(results)}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
