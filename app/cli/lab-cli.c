/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-cli.c: subcommand dispatch, option parsing, help, and the helpers the subcommands
 * share (configuration from options, loading, JSON lines, image grids). */
#include "lab-cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "ae-io.h"
#include "lab-cli-config.h"

typedef enum {
  LAB_LIST_NONE,
  LAB_LIST_PRESETS,  /* the help's %s stands for the presets' names, from the engine */
  LAB_LIST_DATASETS, /* the help's %s stands for the built-in datasets' names */
} LabList;

typedef struct {
  const char *name; /* without the dashes */
  const char *arg;  /* the value's placeholder, or NULL for a flag */
  const char *help;
  LabList list;
} LabOption;

/* The model options of CLI.md; all but preset and data go to ae_config_set by name. */
static const LabOption model_options[] = {
  { "preset", "P", "%s", LAB_LIST_PRESETS },
  { "data", "D", "%s, or a path (IDX, image folder, PNG or JPEG, CSV, .npy with X-labels.npy or labels.npy beside it)",
    LAB_LIST_DATASETS },
  { "image-size", "S", "image folders and files: resize and centre-crop to S x S (default: the "
                       "files' size, or for mixed sizes the median short side up to 64)" },
  { "channels", "1|3", "image folders and files: 1 grey, 3 RGB (default: RGB when any image is colour)" },
  { "latent", "K", "code size (conv: 0 makes the last feature maps the code, no dense layer)" },
  { "hidden", "W,W", "hidden layer widths (channels for conv and sequence, LSTM units), e.g. 512,128" },
  { "sequence-layer", "L", "sequence: conv (1-D convolutions, the default) or lstm" },
  { "epochs", "N", "passes over the training split" },
  { "batch", "B", "samples per batch" },
  { "lr", "X", "learning rate" },
  { "seed", "S", "seed of the weights, the split and the shuffling" },
  { "threads", "T", "threads that share each training batch, one BLAS thread each (0: every core)" },
  { "l1", "X", "sparse: L1 weight on the code" },
  { "rho", "X", "sparse: target mean activation of the code" },
  { "beta", "X", "sparse: weight of the KL sparsity penalty" },
  { "contractive", "X", "contractive: weight of ||J_f(x)||_F^2" },
  { "noise", "KIND:LEVEL", "denoising: gaussian, salt-pepper, masking or mixed (gaussian or salt-pepper "
                           "per sample, level up to LEVEL), e.g. gaussian:0.3" },
  { "kl-beta", "X", "vae: weight of the KL term" },
  { "warmup", "N", "vae: epochs of linear KL warm-up" },
  { "activation", "A", "hidden activation: identity, relu, leaky-relu, tanh, sigmoid" },
  { "loss", "L", "reconstruction loss: mse, bce, l1" },
  { "optimizer", "O", "adam or sgd" },
  { "weight-decay", "X", "weight decay" },
  { "clip", "X", "gradient norm clipping (0: off)" },
  { "momentum", "X", "sgd momentum" },
  { NULL, NULL, NULL },
};

typedef struct {
  const char *name;
  int (*run) (LabArgs *args);
  const char *positional; /* "FILE", or NULL when none is taken */
  const char *usage;
  const char *brief; /* for the list of commands */
  const char *summary;
  int takes_model_options;
  LabOption options[10];
} LabCommand;

static const LabCommand commands[] = {
  { "train", lab_cli_train, NULL,
    "latentlab train --preset P --data D [options] [--save FILE] [--json]",
    "train a model, one line per epoch",
    "Trains an autoencoder and prints one line per epoch: each loss term, the validation\n"
    "loss and the speed. On a terminal, progress within the epoch goes to stderr.",
    1,
    { { "save", "FILE", "write the trained model here (atomically)" },
      { "json", NULL, "one JSON object per epoch, then {\"done\":true,...}" },
      { "seconds", "S", "stop after S seconds of training, at the end of a batch, the learning "
                        "rate falling linearly to a twentieth over the second half (default: "
                        "the epochs decide)" },
      { "patches", "N", "photo-denoiser on a folder or an image: random patches cut from it "
                        "(default 4000, of --image-size, default 40)" },
      { NULL, NULL, NULL } } },
  { "eval", lab_cli_eval, "FILE",
    "latentlab eval FILE --data D [--denoise KIND:LEVEL] [--measure M,...] [--json]",
    "measure a saved model beside PCA",
    "Measures a saved model on the test split beside PCA with the same code size (fitted\n"
    "on the training split): SSE per image, MSE per pixel, the negative ELBO of a VAE (nats\n"
    "per image, the ELBO's expectation estimated with 16 samples of z per image), the largest\n"
    "principal angle to PCA's subspace for a linear model. With --denoise, PSNR of the noisy\n"
    "input, the model, a 3x3 median filter and the best Gaussian blur. On data with known\n"
    "factors (shapes), the mutual information gap (MIG) of the test codes and, per factor,\n"
    "the two dimensions that carry the most of it. With --measure, the metrics that lesson\n"
    "checks compare (`latentlab lesson`), measured as the lessons measure them.",
    0,
    { { "data", "D", "the dataset the model was trained on (its split comes from the model's seed)" },
      { "channels", "1|3", "image folders and files: 1 grey, 3 RGB (default: the model's)" },
      { "denoise", "KIND:LEVEL", "corrupt the test images (fixed noise seed) and compare denoisers" },
      { "measure", "M,...", "lesson metrics by name (prior_error, code_mean, jacobian, ...): JSON key "
                            "\"measures\"" },
      { "threads", "T", "accepted for scripts; evaluation runs on one BLAS thread" },
      { "json", NULL, "one JSON object" },
      { NULL, NULL, NULL } } },
  { "denoise", lab_cli_denoise, "FILE",
    "latentlab denoise FILE --in IMAGE.png --out OUT.png [--noise KIND:LEVEL]",
    "denoise a PNG or JPEG image with a model",
    "Denoises a PNG or JPEG with a model, in colour for a model of RGB images. A fully\n"
    "convolutional model (photo-denoiser) takes the whole image at its own size in one pass;\n"
    "with another model, an image larger than the model's input is denoised in overlapping\n"
    "tiles. With --noise, the image is corrupted first (seeded) and the PSNR of the noisy and\n"
    "the denoised image against it are printed.",
    0,
    { { "in", "IMAGE.png", "the image to denoise" },
      { "out", "OUT.png", "where to write the result" },
      { "noise", "KIND:LEVEL", "corrupt the input first: gaussian, salt-pepper or masking (a "
                               "number alone: Gaussian of that sigma)" },
      { "noisy-out", "FILE.png", "also write the corrupted input" },
      { "seed", "S", "seed of the noise (default 1)" },
      { "ensemble", NULL, "fully convolutional models: the mean over the image's 8 flips and "
                          "quarter turns (8 times the work; +0.6 dB for the photo denoiser)" },
      { "json", NULL, "print the PSNR figures as one JSON object" },
      { NULL, NULL, NULL } } },
  { "generate", lab_cli_generate, "FILE",
    "latentlab generate FILE --n N --out GRID.png [--data D] [--seed S]",
    "draw new images from a model",
    "Decodes N codes drawn from the prior of a VAE into a grid of images. For a plain\n"
    "autoencoder, give --data: codes are then drawn from a Gaussian fitted to the codes of\n"
    "the training split.",
    0,
    { { "n", "N", "how many images (default 64)" },
      { "out", "GRID.png", "where to write the grid" },
      { "data", "D", "fit the code distribution of a non-variational model on this dataset" },
      { "seed", "S", "seed of the draws (default 1)" },
      { NULL, NULL, NULL } } },
  { "interpolate", lab_cli_interpolate, "FILE",
    "latentlab interpolate FILE --data D --from I --to J --steps S --out STRIP.png",
    "walk the code space between two samples",
    "Encodes samples I and J of the dataset, walks the straight line between their codes in\n"
    "S steps (both ends included) and writes the decoded images as one strip.",
    0,
    { { "data", "D", "the dataset" },
      { "channels", "1|3", "image folders and files: 1 grey, 3 RGB (default: the model's)" },
      { "from", "I", "index of the first sample" },
      { "to", "J", "index of the last sample" },
      { "steps", "S", "images in the strip (default 10)" },
      { "out", "STRIP.png", "where to write the strip" },
      { NULL, NULL, NULL } } },
  { "export-latent", lab_cli_export_latent, "FILE",
    "latentlab export-latent FILE --data D --out DIR [--split test|train|all]",
    "codes for TensorBoard's Embedding Projector",
    "Writes the codes of a split for TensorBoard's Embedding Projector: vectors.tsv,\n"
    "metadata.tsv, sprite.png and projector_config.pbtxt in DIR (created if missing).",
    0,
    { { "data", "D", "the dataset" },
      { "out", "DIR", "the folder to write into" },
      { "split", "S", "test (default), train or all" },
      { NULL, NULL, NULL } } },
  { "project", lab_cli_project, "FILE",
    "latentlab project FILE --data D --method pca|tsne [--perplexity P] [--seed S] [--out F.tsv] [--json]",
    "the test codes in a plane (PCA or t-SNE)",
    "Encodes the test split and places its codes in a plane: by their first two principal\n"
    "components, or by t-SNE (Barnes-Hut, PCA start). Reports the time, the plane's\n"
    "trustworthiness (k = 5) and the 5-NN accuracy of the labels in the plane and in the code.\n"
    "--out writes the plane as TSV with the columns x, y and label.",
    0,
    { { "data", "D", "the dataset the model was trained on" },
      { "method", "M", "pca or tsne (default tsne)" },
      { "perplexity", "P", "t-SNE: effective number of neighbours (default 30)" },
      { "iterations", "N", "t-SNE: gradient steps (default 1000)" },
      { "seed", "S", "t-SNE: seed of the start's jitter (default 1)" },
      { "threads", "T", "t-SNE: threads for the gradient (default 1)" },
      { "out", "F.tsv", "write the plane here" },
      { "json", NULL, "one JSON object" },
      { NULL, NULL, NULL } } },
  { "export", lab_cli_export, "FILE",
    "latentlab export FILE --format safetensors --out OUT.safetensors",
    "the weights as safetensors for PyTorch",
    "Exports the weights so that PyTorch can load them: safetensors, float32, in PyTorch's\n"
    "layer names and layouts, with the configuration and the architecture as metadata.\n"
    "python/latentlab_torch.py builds the torch.nn.Module: latentlab_torch.load(OUT).",
    0,
    { { "format", "F", "safetensors" },
      { "out", "OUT", "where to write" },
      { NULL, NULL, NULL } } },
  { "import", lab_cli_import, "FILE.safetensors",
    "latentlab import FILE.safetensors --save MODEL",
    "a model back from safetensors",
    "Reads a file written by `latentlab export`, or by latentlab_torch.save after fine-tuning\n"
    "in PyTorch, and saves it as a model that every command and the window open.",
    0,
    { { "save", "MODEL", "where to write the model (atomically)" },
      { NULL, NULL, NULL } } },
  { "anomaly", lab_cli_anomaly, NULL,
    "latentlab anomaly --data D [--normal C|all] [--preset P] [options] [--json]",
    "anomaly detection by reconstruction error",
    "Trains on the normal class of the training split only and scores the test split by\n"
    "reconstruction error; prints the AUROC of the model and of PCA with the same code size.\n"
    "With --normal all, each class in turn, then the means. Datasets with labelled anomalies\n"
    "of their own (ecg) use those. Without --preset, images get a denoising VAE with a code\n"
    "of 3 (--preset vae --latent 3 --noise gaussian:0.2 --epochs 60) and time series the\n"
    "sequence preset (1-D convolutions, a code of 16): a narrow code is what makes unusual\n"
    "inputs reconstruct badly. Options given still apply on top.",
    1,
    { { "normal", "C|all", "the normal class, by index or name, or all (default 0)" },
      { "json", NULL, "one JSON object per class (and one with the means)" },
      { NULL, NULL, NULL } } },
  { "lesson", lab_cli_lesson, "[NAME|FILE]",
    "latentlab lesson --list | latentlab lesson NAME|FILE --check [--json]",
    "list the lessons, or check one's claims headless",
    "With --list, the bundled lessons, one per line: its name, a tab, its title. With a\n"
    "lesson (a bundled lesson's name or a .lesson file) and --check, runs every step headless\n"
    "(its settings, its training, then its measurements) and prints each check with\n"
    "its value; the exit status is 1 when any check does not hold or the lesson cannot run.",
    0,
    { { "list", NULL, "the bundled lessons: name, tab, title" },
      { "check", NULL, "run every step and check its claims" },
      { "json", NULL, "one JSON object per check: lesson, step, check, value, against, passed" },
      { "threads", "T", "threads that share each training batch (default 1: reproducible)" },
      { NULL, NULL, NULL } } },
  { "datasets", lab_cli_datasets, NULL,
    "latentlab datasets [--json]",
    "list the built-in datasets and whether each is here",
    "Lists the built-in datasets that --data takes by name: name, title, kind (images or\n"
    "sequences), samples and their shape, and whether it loads on this machine (Fashion-MNIST\n"
    "needs Debian's dataset-fashion-mnist, or its four files in $LATENTLAB_FASHION_MNIST_DIR).",
    0,
    { { "json", NULL, "one JSON object per dataset: name, title, kind, samples, channels, height, "
                      "width, available, description" },
      { NULL, NULL, NULL } } },
  { "bench", lab_cli_bench, NULL,
    "latentlab bench [--json] [--quick] [--threads T]",
    "measure training speed against this machine's sgemm",
    "Measures, in one run: sgemm GFLOP/s on the GEMM shapes of the reference models, training\n"
    "samples/s of those models (dense 784-512-128-32 mirrored, VAE 784-400-20, the conv and the\n"
    "denoising presets; batch 128, Adam, embedded digits; conv-rgb: the conv preset on 32x32 RGB\n"
    "images; sequence: the sequence preset on sines), the GEMM-only ceiling of each and the\n"
    "fraction reached, slider decode latency (p50, p99) and peak memory. Each model trains in\n"
    "three slices taken in turn over all the models and keeps its best (slice_samples_per_s\n"
    "lists them): the load of a shared machine changes within seconds.",
    0,
    { { "json", NULL, "one JSON object" },
      { "quick", NULL, "short timings (a smoke run, not a measurement)" },
      { "threads", "T", "threads that share each training batch (0: every core)" },
      { NULL, NULL, NULL } } },
};

#define N_COMMANDS ((int) (sizeof commands / sizeof commands[0]))

static const LabCommand *
find_command (const char *name)
{
  for (int i = 0; i < N_COMMANDS; i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

int
lab_cli_is_command (const char *name)
{
  return find_command (name) != NULL || strcmp (name, "help") == 0 || strcmp (name, "--help") == 0
         || strcmp (name, "-h") == 0 || strcmp (name, "--version") == 0;
}

/* --- help -------------------------------------------------------------------------------- */

/* An option's help, with the names of a registry in place of its %s. */
static void
print_help_text (FILE *out, const LabOption *o)
{
  const char *slot = o->list != LAB_LIST_NONE ? strstr (o->help, "%s") : NULL;
  if (slot == NULL)
    {
      fprintf (out, "%s\n", o->help);
      return;
    }
  fprintf (out, "%.*s", (int) (slot - o->help), o->help);
  if (o->list == LAB_LIST_PRESETS)
    for (const AePreset *p = ae_presets; p->name != NULL; p++)
      fprintf (out, "%s%s", p == ae_presets ? "" : ", ", p->name);
  else
    for (const AeBuiltinDataset *d = ae_builtin_datasets; d->name != NULL; d++)
      fprintf (out, "%s%s", d == ae_builtin_datasets ? "" : ", ", d->name);
  fprintf (out, "%s\n", slot + 2);
}

static void
print_options (FILE *out, const LabOption *options, const LabCommand *skip_from)
{
  for (const LabOption *o = options; o->name != NULL; o++)
    {
      /* A command option that repeats a model option is listed once. */
      int repeated = 0;
      if (skip_from != NULL)
        for (const LabOption *c = skip_from->options; c->name != NULL; c++)
          repeated |= strcmp (c->name, o->name) == 0;
      if (repeated)
        continue;
      char left[64];
      snprintf (left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
      fprintf (out, "  %-24s ", left);
      print_help_text (out, o);
    }
}

static void
print_command_help (FILE *out, const LabCommand *cmd)
{
  fprintf (out, "Usage: %s\n\n%s\n\nOptions:\n", cmd->usage, cmd->summary);
  print_options (out, cmd->options, NULL);
  fprintf (out, "  %-24s %s\n", "--help", "show this help");
  if (cmd->takes_model_options)
    {
      fprintf (out, "\nModel options (each preset's defaults work on digits; these override them):\n");
      print_options (out, model_options, cmd);
    }
}

static void
print_main_help (FILE *out)
{
  fprintf (out,
           "Usage: latentlab [window options] [FILE...]                   (opens the window)\n"
           "       latentlab COMMAND [options]                            (headless)\n\n"
           "Commands:\n");
  for (int i = 0; i < N_COMMANDS; i++)
    fprintf (out, "  %-14s %s\n", commands[i].name, commands[i].brief);
  fprintf (out, "  %-14s %s\n", "help COMMAND", "the options of a command (also COMMAND --help)");
  /* The window's options, as app/lab-application.c takes them (no GTK here). */
  static const LabOption window_options[] = {
    { "data", "D", "dataset: %s or a path", LAB_LIST_DATASETS },
    { "preset", "P", "model preset: %s", LAB_LIST_PRESETS },
    { "run", NULL, "start training at once" },
    { "presentation", NULL, "open in presentation mode: full screen, large text, thick lines" },
    { "view", "V", "view to show: training, latent, generate, denoise, anomaly, inside, pca, sequence" },
    { "session", "FILE", "open a saved session (its dataset, settings, weights and history)" },
    { "compare", NULL, "also open Compare Runs: the run beside a copy with the next seed" },
    { "lesson", "FILE|NAME", "open a lesson in the lesson panel: a bundled one by name (lesson --list) or a .lesson file" },
    { NULL, NULL, NULL },
  };
  fprintf (out, "\nWindow options:\n");
  print_options (out, window_options, NULL);
  fprintf (out, "  FILE                     a session (.latentlab-session), a lesson (.lesson), a PNG or\n"
                "                           JPEG picture (in the Denoise view), or a dataset file or\n"
                "                           folder; one window each\n");
  fprintf (out,
           "\nExit status: 0 success, 1 runtime failure (bad file, divergence, I/O), 2 usage error.\n"
           "See `latentlab COMMAND --help` for each command's options.\n");
}

/* --- parsing ------------------------------------------------------------------------------ */

const char *
lab_args_get (const LabArgs *args, const char *name)
{
  for (int i = args->n_set - 1; i >= 0; i--)
    if (strcmp (args->names[i], name) == 0)
      return args->values[i];
  return NULL;
}

int
lab_args_flag (const LabArgs *args, const char *name)
{
  for (int i = 0; i < args->n_set; i++)
    if (strcmp (args->names[i], name) == 0)
      return 1;
  return 0;
}

int
lab_fail (const LabArgs *args, int status, const char *fmt, ...)
{
  va_list ap;
  fflush (stdout);
  fprintf (stderr, "latentlab%s%s: ", args && args->command ? " " : "",
           args && args->command ? args->command : "");
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  return status;
}

int
lab_check_writable (const LabArgs *args, const char *option, const char *path)
{
  AeError err = { 0 };
  if (ae_file_check_writable (path, &err) == AE_OK)
    return LAB_EXIT_OK;
  return lab_fail (args, err.status == AE_ERR_INVALID ? LAB_EXIT_USAGE : LAB_EXIT_FAILURE,
                   "--%s: %s", option, err.message);
}

int
lab_args_int (const LabArgs *args, const char *name, long fallback, long min, long max, long *out)
{
  const char *value = lab_args_get (args, name);
  if (value == NULL)
    {
      *out = fallback;
      return 1;
    }
  char *end = NULL;
  errno = 0;
  long v = strtol (value, &end, 10);
  if (end == value || *end != '\0' || errno == ERANGE || v < min || v > max)
    {
      lab_fail (args, LAB_EXIT_USAGE, "--%s '%s': expected a whole number from %ld to %ld", name,
                value, min, max);
      return 0;
    }
  *out = v;
  return 1;
}

static const LabOption *
find_option (const LabCommand *cmd, const char *name)
{
  for (const LabOption *o = cmd->options; o->name != NULL; o++)
    if (strcmp (o->name, name) == 0)
      return o;
  if (cmd->takes_model_options)
    for (const LabOption *o = model_options; o->name != NULL; o++)
      if (strcmp (o->name, name) == 0)
        return o;
  return NULL;
}

/* Fills args from argv[2..]; returns -1 to go on, else an exit status (help printed, or a
 * usage error). */
static int
parse_args (const LabCommand *cmd, int argc, char **argv, LabArgs *args)
{
  memset (args, 0, sizeof *args);
  args->command = cmd->name;
  int only_positional = 0;
  for (int i = 2; i < argc; i++)
    {
      const char *a = argv[i];
      if (only_positional || a[0] != '-' || a[1] == '\0')
        {
          int max = cmd->positional != NULL ? 1 : 0;
          if (args->n_positional >= max)
            return lab_fail (args, LAB_EXIT_USAGE, "unexpected argument '%s' (see latentlab %s --help)",
                             a, cmd->name);
          args->positional[args->n_positional++] = a;
          continue;
        }
      if (strcmp (a, "--") == 0)
        {
          only_positional = 1;
          continue;
        }
      if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0)
        {
          print_command_help (stdout, cmd);
          return LAB_EXIT_OK;
        }
      if (a[1] != '-')
        return lab_fail (args, LAB_EXIT_USAGE, "unknown option '%s' (see latentlab %s --help)", a,
                         cmd->name);
      const char *name = a + 2;
      const char *eq = strchr (name, '=');
      char key[64];
      size_t len = eq ? (size_t) (eq - name) : strlen (name);
      if (len >= sizeof key)
        return lab_fail (args, LAB_EXIT_USAGE, "unknown option '%s' (see latentlab %s --help)", a,
                         cmd->name);
      memcpy (key, name, len);
      key[len] = '\0';
      const LabOption *opt = find_option (cmd, key);
      if (opt == NULL)
        return lab_fail (args, LAB_EXIT_USAGE, "unknown option '--%s' (see latentlab %s --help)", key,
                         cmd->name);
      const char *value = NULL;
      if (opt->arg == NULL)
        {
          if (eq != NULL)
            return lab_fail (args, LAB_EXIT_USAGE, "--%s takes no value ('%s')", key, a);
        }
      else if (eq != NULL)
        value = eq + 1;
      else if (i + 1 < argc)
        value = argv[++i];
      else
        return lab_fail (args, LAB_EXIT_USAGE, "--%s needs a value (%s)", key, opt->arg);
      if (args->n_set == LAB_MAX_SETTINGS)
        return lab_fail (args, LAB_EXIT_USAGE, "too many options");
      args->names[args->n_set] = opt->name;
      args->values[args->n_set] = value;
      args->n_set++;
    }
  /* a positional in brackets is optional */
  if (cmd->positional != NULL && cmd->positional[0] != '[' && args->n_positional == 0)
    return lab_fail (args, LAB_EXIT_USAGE, "missing %s (usage: %s)", cmd->positional, cmd->usage);
  return -1;
}

int
lab_cli_main (int argc, char **argv)
{
  const char *name = argv[1];
  if (strcmp (name, "--version") == 0)
    {
      printf ("latentlab %s\n", LAB_VERSION);
      return LAB_EXIT_OK;
    }
  if (strcmp (name, "--help") == 0 || strcmp (name, "-h") == 0)
    {
      print_main_help (stdout);
      return LAB_EXIT_OK;
    }
  if (strcmp (name, "help") == 0)
    {
      if (argc < 3)
        {
          print_main_help (stdout);
          return LAB_EXIT_OK;
        }
      const LabCommand *cmd = find_command (argv[2]);
      if (cmd == NULL)
        {
          fprintf (stderr, "latentlab help: unknown command '%s' (see latentlab --help)\n", argv[2]);
          return LAB_EXIT_USAGE;
        }
      print_command_help (stdout, cmd);
      return LAB_EXIT_OK;
    }
  const LabCommand *cmd = find_command (name);
  if (cmd == NULL)
    {
      fprintf (stderr, "latentlab: unknown command '%s' (see latentlab --help)\n", name);
      return LAB_EXIT_USAGE;
    }
  LabArgs args;
  int status = parse_args (cmd, argc, argv, &args);
  if (status >= 0)
    return status;
  return cmd->run (&args);
}

/* --- configuration, data and models -------------------------------------------------------- */

int
lab_config_from_args (const LabArgs *args, const char *preset_fallback, AeConfig *cfg)
{
  return lab_config_from_args_tuned (args, preset_fallback, NULL, cfg);
}

int
lab_config_from_args_tuned (const LabArgs *args, const char *preset_fallback,
                            const char *const *fallback_settings, AeConfig *cfg)
{
  AeError err = { 0 };
  const char *preset = lab_args_get (args, "preset");
  if (preset == NULL)
    preset = preset_fallback;
  else
    fallback_settings = NULL;
  if (ae_config_preset (cfg, preset, &err) != AE_OK)
    return lab_fail (args, LAB_EXIT_USAGE, "%s", err.message);
  for (; fallback_settings != NULL && fallback_settings[0] != NULL; fallback_settings += 2)
    if (ae_config_set (cfg, fallback_settings[0], fallback_settings[1], &err) != AE_OK)
      return lab_fail (args, LAB_EXIT_FAILURE, "%s: %s", fallback_settings[0], err.message);
  for (int i = 0; i < args->n_set; i++)
    {
      const char *name = args->names[i];
      int is_model_option = 0;
      for (const LabOption *o = model_options; o->name != NULL; o++)
        is_model_option |= strcmp (o->name, name) == 0;
      if (!is_model_option || strcmp (name, "preset") == 0 || strcmp (name, "data") == 0
          || strcmp (name, "image-size") == 0 || strcmp (name, "channels") == 0)
        continue;
      if (ae_config_set (cfg, name, args->values[i], &err) != AE_OK)
        {
          if (strncmp (err.message, "--", 2) == 0)
            return lab_fail (args, LAB_EXIT_USAGE, "%s", err.message);
          return lab_fail (args, LAB_EXIT_USAGE, "--%s '%s': %s", name, args->values[i], err.message);
        }
    }
  return LAB_EXIT_OK;
}

int
lab_config_fit (const LabArgs *args, AeConfig *cfg, const AeDataset *ds)
{
  AeError err = { 0 };
  if (ae_config_fit_data (cfg, ds, &err) != AE_OK || ae_config_validate (cfg, &err) != AE_OK)
    return lab_fail (args, LAB_EXIT_USAGE, "%s", err.message);
  return LAB_EXIT_OK;
}

/* Loads spec with the image options given; failures name the file or the argument. */
static int
load_data_with (const LabArgs *args, const char *spec, const AeImageOptions *images, uint64_t seed,
                AeDataset **out)
{
  AeError err = { 0 };
  if (ae_dataset_load_with (out, spec, images, seed, &err) == AE_OK)
    {
      /* Resizing and skipped files are worth a line: the data are not quite the files. */
      if ((*out)->note[0] != '\0')
        fprintf (stderr, "%s: %s\n", spec, (*out)->note);
      return LAB_EXIT_OK;
    }
  /* The loaders name the file; a name such as "fashion" may need saying. */
  if (strstr (err.message, spec) == NULL)
    return lab_fail (args, LAB_EXIT_FAILURE, "--data %s: %s", spec, err.message);
  return lab_fail (args, LAB_EXIT_FAILURE, "%s", err.message);
}

/* --channels 1|3 (fallback when absent) into *channels; returns an exit status. */
static int
channels_option (const LabArgs *args, long fallback, long *channels)
{
  if (!lab_args_int (args, "channels", fallback, 1, 3, channels))
    return LAB_EXIT_USAGE;
  if (*channels == 2)
    return lab_fail (args, LAB_EXIT_USAGE, "--channels 2: expected 1 (grey) or 3 (RGB)");
  return LAB_EXIT_OK;
}

int
lab_load_data (const LabArgs *args, const char *spec, uint64_t seed, AeDataset **out)
{
  long size, channels;
  if (!lab_args_int (args, "image-size", 0, 1, AE_MAX_IMAGE_SIDE, &size))
    return LAB_EXIT_USAGE;
  int status = channels_option (args, 0, &channels);
  if (status != LAB_EXIT_OK)
    return status;
  AeImageOptions images = { .channels = (int) channels, .image_size = (int) size };
  return load_data_with (args, spec, &images, seed, out);
}

/* Whether spec names image files (a folder, a PNG or a JPEG), whose shape can be chosen. */
static int
spec_is_images (const char *spec)
{
  struct stat st;
  if (stat (spec, &st) != 0)
    return 0;
  size_t n = strlen (spec);
  return S_ISDIR (st.st_mode) || (n > 4 && strcasecmp (spec + n - 4, ".png") == 0)
         || (n > 4 && strcasecmp (spec + n - 4, ".jpg") == 0) || (n > 5 && strcasecmp (spec + n - 5, ".jpeg") == 0);
}

int
lab_load_training_data (const LabArgs *args, const char *spec, const AeConfig *cfg,
                        AeDataset **out)
{
  if (cfg->arch != AE_ARCH_RESIDUAL || !spec_is_images (spec))
    return lab_load_data (args, spec, cfg->seed, out);
  long side, channels, count;
  if (!lab_args_int (args, "image-size", LAB_PATCH_SIDE, 3, AE_MAX_IMAGE_SIDE, &side)
      || !lab_args_int (args, "patches", LAB_PATCH_COUNT, 10, 10000000, &count))
    return LAB_EXIT_USAGE;
  int status = channels_option (args, 0, &channels);
  if (status != LAB_EXIT_OK)
    return status;
  AeError err = { 0 };
  if (ae_image_random_patches_load (out, spec, (int) channels, (int) side, count, cfg->seed, &err)
      != AE_OK)
    return lab_fail (args, err.status == AE_ERR_INVALID ? LAB_EXIT_USAGE : LAB_EXIT_FAILURE, "%s",
                     err.message);
  return LAB_EXIT_OK;
}

int
lab_load_model (const LabArgs *args, const char *path, AeModel **out)
{
  AeError err = { 0 };
  if (ae_model_load (out, path, &err) == AE_OK)
    return LAB_EXIT_OK;
  if (strstr (err.message, path) == NULL)
    return lab_fail (args, LAB_EXIT_FAILURE, "%s: %s", path, err.message);
  return lab_fail (args, LAB_EXIT_FAILURE, "%s", err.message);
}

int
lab_load_model_writing (const LabArgs *args, const char *path, const char *option,
                        const char *dest, AeModel **out)
{
  int status = dest != NULL ? lab_check_writable (args, option, dest) : LAB_EXIT_OK;
  return status != LAB_EXIT_OK ? status : lab_load_model (args, path, out);
}

static int
check_model_shape (const LabArgs *args, const AeModel *model, int channels, int height, int width,
                   const char *spec)
{
  const AeConfig *c = ae_model_config (model);
  if (c->channels != channels || c->height != height || c->width != width)
    return lab_fail (args, LAB_EXIT_FAILURE,
                     "--data %s holds samples of %d x %d x %d, and the model expects %d x %d x %d",
                     spec, channels, height, width, c->channels, c->height, c->width);
  return LAB_EXIT_OK;
}

/* A CSV is scaled into [0, 1] by its own range on loading; a model trained on rows of numbers
 * reads them in the scale it was trained with, or another file's range would shift and
 * stretch every value without a word. */
static void
rescale_to_model (AeDataset *ds, const AeConfig *c, const char *spec)
{
  if (ds->kind != AE_DATA_VECTORS || !(c->value_max > c->value_min)
      || (ds->value_min == c->value_min && ds->value_max == c->value_max))
    return;
  double model_range = c->value_max - c->value_min;
  double scale = (ds->value_max - ds->value_min) / model_range;
  double shift = (ds->value_min - c->value_min) / model_range;
  size_t total = (size_t) ds->n * (size_t) ds->dim, outside = 0;
  for (size_t i = 0; i < total; i++)
    {
      ds->x[i] = (float) (ds->x[i] * scale + shift);
      outside += ds->x[i] < 0.0f || ds->x[i] > 1.0f;
    }
  fprintf (stderr, "%s: values %g to %g, read in the model's scale (%g to %g)", spec,
           ds->value_min, ds->value_max, c->value_min, c->value_max);
  if (outside > 0)
    fprintf (stderr, "; %zu of them lie outside it", outside);
  fputc ('\n', stderr);
  ds->value_min = c->value_min;
  ds->value_max = c->value_max;
}

int
lab_load_model_data (const LabArgs *args, const char *spec, const AeModel *model, AeDataset **out)
{
  const AeConfig *c = ae_model_config (model);
  AeImageOptions images = { 0 };
  int status;
  if (c->arch != AE_ARCH_SEQUENCE && spec_is_images (spec))
    {
      /* Image files are brought to the shape the model was trained on, so that a folder of
       * mixed sizes loads as it did for training. */
      /* --channels other than the model's is refused below, naming both shapes. */
      long channels;
      if ((status = channels_option (args, c->channels, &channels)) != LAB_EXIT_OK)
        return status;
      images.channels = (int) channels;
      images.image_size = c->height == c->width ? c->height : 0;
    }
  else
    {
      /* The header first: a small file declaring many samples of another shape is refused
       * before it is inflated and decoded. */
      AeError err = { 0 };
      int channels, height, width;
      if (ae_dataset_peek_shape (spec, &channels, &height, &width, &err) == AE_OK
          && (status = check_model_shape (args, model, channels, height, width, spec)) != LAB_EXIT_OK)
        return status;
    }
  if ((status = load_data_with (args, spec, &images, c->seed, out)) != LAB_EXIT_OK)
    return status;
  if ((status = check_model_shape (args, model, (*out)->channels, (*out)->height, (*out)->width,
                                   spec)) != LAB_EXIT_OK)
    {
      ae_dataset_free (*out);
      *out = NULL;
      return status;
    }
  rescale_to_model (*out, c, spec);
  return status;
}

void
lab_apply_threads (const LabArgs *args, int config_threads)
{
  long threads = config_threads;
  const char *value = lab_args_get (args, "threads");
  if (value != NULL)
    threads = strtol (value, NULL, 10);
  ae_set_threads ((int) threads);
}

/* --- pictures ------------------------------------------------------------------------------ */

AeStatus
lab_write_grid (const char *path, const float *images, long n, int cols, int gap, int channels,
                int h, int w, AeError *err)
{
  if (n <= 0 || cols <= 0)
    return ae_error_set (err, AE_ERR_INVALID, "%s: no images to write", path);
  long rows = (n + cols - 1) / cols;
  long width = cols * (long) (w + gap) - gap, height = rows * (h + gap) - gap;
  if (width > AE_MAX_IMAGE_SIDE || height > AE_MAX_IMAGE_SIDE)
    return ae_error_set (err, AE_ERR_LIMIT, "%s: a grid of %ld x %ld pixels is too large", path,
                         width, height);
  int rgb = channels == 3;
  int out_channels = rgb ? 3 : 1;
  float *canvas = malloc ((size_t) width * (size_t) height * (size_t) out_channels * sizeof (float));
  if (canvas == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory for the picture", path);
  /* Mid grey between the tiles reads on dark digits and light photos alike. */
  for (long i = 0; i < width * height * out_channels; i++)
    canvas[i] = 0.5f;
  size_t plane = (size_t) h * (size_t) w;
  for (long k = 0; k < n; k++)
    {
      const float *img = images + (size_t) k * plane * (size_t) channels;
      long x0 = (k % cols) * (w + gap), y0 = (k / cols) * (h + gap);
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          for (int c = 0; c < out_channels; c++)
            canvas[((size_t) (y0 + y) * (size_t) width + (size_t) (x0 + x)) * (size_t) out_channels + (size_t) c]
              = img[(size_t) c * plane + (size_t) y * (size_t) w + (size_t) x];
    }
  AeStatus st;
  if (!rgb)
    st = ae_png_write_gray (path, canvas, (int) width, (int) height, err);
  else
    {
      size_t count = (size_t) width * (size_t) height * 3;
      uint8_t *bytes = malloc (count);
      if (bytes == NULL)
        st = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory for the picture", path);
      else
        {
          for (size_t i = 0; i < count; i++)
            {
              float v = canvas[i] < 0 ? 0 : canvas[i] > 1 ? 1 : canvas[i];
              bytes[i] = (uint8_t) lrintf (v * 255.0f);
            }
          st = ae_png_write_rgb (path, bytes, (int) width, (int) height, 3, err);
          free (bytes);
        }
    }
  free (canvas);
  return st;
}

/* --- JSON lines ------------------------------------------------------------------------------ */

static void
json_key (LabJson *j, const char *key)
{
  if (j->need_comma)
    fputc (',', j->out);
  j->need_comma = 1;
  if (key != NULL)
    fprintf (j->out, "\"%s\":", key);
}

void
lab_json_begin (LabJson *j, FILE *out)
{
  j->out = out;
  j->need_comma = 0;
  fputc ('{', out);
}

static void
json_number_value (FILE *out, double value)
{
  if (isfinite (value))
    fprintf (out, "%.9g", value);
  else
    fputs ("null", out);
}

void
lab_json_number (LabJson *j, const char *key, double value)
{
  json_key (j, key);
  json_number_value (j->out, value);
}

void
lab_json_numbers (LabJson *j, const char *key, const double *values, int n)
{
  json_key (j, key);
  fputc ('[', j->out);
  for (int i = 0; i < n; i++)
    {
      if (i > 0)
        fputc (',', j->out);
      json_number_value (j->out, values[i]);
    }
  fputc (']', j->out);
}

void
lab_json_int (LabJson *j, const char *key, long value)
{
  json_key (j, key);
  fprintf (j->out, "%ld", value);
}

void
lab_json_bool (LabJson *j, const char *key, int value)
{
  json_key (j, key);
  fputs (value ? "true" : "false", j->out);
}

void
lab_json_string (LabJson *j, const char *key, const char *value)
{
  json_key (j, key);
  fputc ('"', j->out);
  for (const unsigned char *p = (const unsigned char *) value; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        fprintf (j->out, "\\%c", *p);
      else if (*p < 0x20)
        fprintf (j->out, "\\u%04x", *p);
      else
        fputc (*p, j->out);
    }
  fputc ('"', j->out);
}

void
lab_json_object_begin (LabJson *j, const char *key)
{
  json_key (j, key);
  fputc ('{', j->out);
  j->need_comma = 0;
}

void
lab_json_object_end (LabJson *j)
{
  fputc ('}', j->out);
  j->need_comma = 1;
}

void
lab_json_end (LabJson *j)
{
  fputs ("}\n", j->out);
  fflush (j->out);
}
