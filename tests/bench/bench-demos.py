#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""How soon each preset shows what it exists to show, on the embedded digits.

A preset is pressed Run on in the window and trained with every core (the window's thread
settings: `--threads 0`; `--nice 10` adds the window trainer's niceness). For each preset and
each count of epochs in --epochs, `latentlab train --epochs E` trains a fresh model from the
preset's seed (the first E epochs of the preset's run) and the goal is measured on the saved
model with the program's own metric code (`latentlab eval --json`, its `--denoise` PSNRs and
its `--measure` lesson metrics); the time to the goal is the training time of the first E
that meets it. Counting epochs rather than seconds keeps a comparison with a reference fair
on a shared machine, where the speed changes from one run to the next:

  undercomplete  test SSE per image below PCA's with as many components as the code
  denoising      PSNR at least 4 dB above the 3x3 median filter's on the test digits, for
                 Gaussian noise 0.5 and salt-and-pepper 0.2 (the Denoise view's two kinds at
                 their starting levels)
  vae            a test negative ELBO of at most 120 nats with a KL above 5 nats (no collapsed
                 code): from there on its samples from the prior read as digits (at 131 nats
                 they are still grainy shapes, the whole run reaches about 112); the grid of
                 64 samples is written beside the models with --keep, to look at
  sparse         the sparse lesson's claims against the same network without the penalty
                 trained for as many epochs: mean code activation < 2 rho, active share < half
                 of its, test error < 1.5 x its
  contractive    the contractive lesson's claims against the same encoder without the
                 penalty trained for as many epochs: Jacobian norm < 0.75 x, test error < 1.1 x

Prints, per preset, the figures at each count of epochs up to the first that meets the goal,
its training time, and with --full the figures at the end of the preset's whole run (which
should be better still). The window trains at a fraction of the command line's speed that
tests/bench/run-window.sh measures. The machine may be shared: the load average is printed
beside every timing.

Usage: tests/bench/bench-demos.py [--build DIR] [--presets a,b] [--epochs 1,2,4] [--nice N]
                                  [--full] [--data digits] [--keep DIR]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))

# The reference a goal is measured against: the same preset with its concept switched off
# (options), trained for the same budget.
REFERENCES = {
    "sparse": ["--beta", "0"],
    "contractive": ["--contractive", "0"],
}
MEASURES = {
    "sparse": "code_mean,code_active,test_error,rho",
    "contractive": "jacobian,test_error",
    "vae": "prior_error,kl",
}
DENOISE_NOISES = ["gaussian:0.5", "salt-pepper:0.2"]
MEDIAN_MARGIN_DB = 4.0
VAE_NEG_ELBO = 120.0


def load():
    return open("/proc/loadavg").read().split()[0]


class Bench:
    def __init__(self, args, tmp):
        self.latentlab = os.path.join(args.build, "app", "latentlab")
        self.nice = args.nice
        self.data = args.data
        self.tmp = tmp

    def run(self, argv, nice=0):
        prefix = ["nice", "-n", str(nice)] if nice else []
        p = subprocess.run(prefix + [self.latentlab, *argv], capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"latentlab {' '.join(argv)}: exit {p.returncode}\n{p.stderr}")
        return [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]

    def train(self, name, options, epochs):
        """A fresh model of the preset trained for `epochs` (None: its whole run)."""
        path = os.path.join(self.tmp, f"{name}-{epochs or 'all'}.model")
        argv = ["train", "--data", self.data, "--threads", "0", "--json", "--save", path, *options]
        if epochs is not None:
            argv += ["--epochs", str(epochs)]
        done = self.run(argv, self.nice)[-1]
        return path, done

    def eval(self, path, *options):
        return self.run(["eval", path, "--data", self.data, "--json", *options])[0]

    def measure(self, preset, epochs):
        """(goal met, training seconds, figures) for a preset trained for `epochs`."""
        path, done = self.train(preset, ["--preset", preset], epochs)
        seconds = done["seconds"]
        ok, fig = self.goal(preset, path, epochs)
        return ok, seconds, dict(epochs=done["epochs"], seconds=round(seconds, 1), **fig)

    def goal(self, preset, path, epochs):
        fig = {}
        if preset == "denoising":
            ok = True
            for noise in DENOISE_NOISES:
                e = self.eval(path, "--denoise", noise)
                margin = e["psnr_model"] - e["psnr_median"]
                fig[noise] = f"{e['psnr_model']:.2f} dB vs median {e['psnr_median']:.2f} ({margin:+.2f})"
                ok = ok and margin >= MEDIAN_MARGIN_DB
            return ok, fig
        if preset == "vae":
            e = self.eval(path, "--measure", MEASURES[preset])
            m = e["measures"]
            fig.update(neg_elbo=round(e["neg_elbo"], 1), kl=round(m["kl"], 1), prior_error=round(m["prior_error"], 2))
            self.run(["generate", path, "--n", "64", "--out", path.replace(".model", ".png")])
            return e["neg_elbo"] <= VAE_NEG_ELBO and m["kl"] > 5, fig
        if preset not in REFERENCES:
            e = self.eval(path)
            fig["test_sse"] = round(e["test_sse_per_image"], 2)
            fig["pca_sse"] = round(e["pca_sse_per_image"], 2)
            return e["test_sse_per_image"] < e["pca_sse_per_image"], fig
        ref_path, _ = self.train(preset + "-ref", ["--preset", preset, *REFERENCES[preset]], epochs)
        m = self.eval(path, "--measure", MEASURES[preset])["measures"]
        r = self.eval(ref_path, "--measure", MEASURES[preset])["measures"]
        for k, v in m.items():
            fig[k] = f"{v:.4g}" + (f" (ref {r[k]:.4g})" if r[k] is not None else "")
        if preset == "sparse":
            return (m["code_mean"] < 2 * m["rho"] and m["code_active"] < 0.5 * r["code_active"]
                    and m["test_error"] < 1.5 * r["test_error"]), fig
        return m["jacobian"] < 0.75 * r["jacobian"] and m["test_error"] < 1.1 * r["test_error"], fig


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(here, "..", "..", "build"))
    parser.add_argument("--presets", default="undercomplete,denoising,vae,sparse,contractive")
    parser.add_argument("--epochs", default="1,2,3,4,6,8,12,16", help="counts of epochs, increasing")
    parser.add_argument("--nice", type=int, default=0, help="the window trains at nice 10")
    parser.add_argument("--full", action="store_true", help="also the preset's whole run")
    parser.add_argument("--data", default="digits")
    parser.add_argument("--keep", help="keep the trained models in this folder")
    args = parser.parse_args()
    ladder = [int(e) for e in args.epochs.split(",")]

    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(args, args.keep or tmp)
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
        summary = []
        for preset in args.presets.split(","):
            reached = None
            for epochs in ladder:
                before = load()
                ok, seconds, fig = bench.measure(preset, epochs)
                print(f"{preset} after {epochs} epochs (load {before}-{load()}): {'GOAL' if ok else 'not yet'} {fig}",
                      flush=True)
                if ok:
                    reached = (epochs, seconds, before)
                    break
            if args.full:
                before = load()
                ok, seconds, fig = bench.measure(preset, None)
                print(f"{preset} whole run (load {before}-{load()}): {'GOAL' if ok else 'not met'} {fig}",
                      flush=True)
            summary.append((preset, reached))
        for preset, reached in summary:
            print(f"{preset}: goal after {reached[0]} epochs, {reached[1]:.1f} s of training (load {reached[2]})"
                  if reached is not None else f"{preset}: goal not met within {ladder[-1]} epochs")
        return 0 if all(r is not None for _, r in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
