/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-sidebar.c: the controls of the session, each with a one-sentence tooltip.
 *
 * Controls show the session's options and send changes back by their command-line names.
 * A live change (learning rate, penalty weights, noise, β) applies from the next batch; a
 * change that needs a new network asks first when there is training to lose.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "lab-confirm.h"
#include "lab-sidebar.h"

#include "lab-catalog.h"

struct _LabSidebar {
  GtkWidget parent_instance;

  /* template widgets */
  GtkWidget *scroller;
  GtkDropDown *dataset_dropdown;
  GtkLabel *split_label;
  GtkDropDown *preset_dropdown;
  GtkEntry *hidden_entry;
  GtkSpinButton *latent_spin;
  GtkWidget *activation_name;
  GtkDropDown *activation_dropdown;
  GtkLabel *arch_label;
  GtkScale *lr_scale;
  GtkLabel *lr_label;
  GtkDropDown *batch_dropdown;
  GtkSpinButton *epochs_spin;
  GtkSpinButton *seed_spin;
  GtkWidget *sparse_section;
  GtkSpinButton *l1_spin;
  GtkSpinButton *rho_spin;
  GtkSpinButton *beta_spin;
  GtkWidget *contractive_section;
  GtkSpinButton *contractive_spin;
  GtkWidget *denoising_section;
  GtkDropDown *noise_dropdown;
  GtkScale *noise_scale;
  GtkLabel *noise_label;
  GtkWidget *vae_section;
  GtkScale *kl_beta_scale;
  GtkLabel *kl_beta_label;
  GtkSpinButton *warmup_spin;

  /* owned */
  LabSession *session;
  GtkStringList *datasets;  /* display names; the last item is "Open file…" */
  GPtrArray *dataset_specs;
  guint syncing;          /* > 0 while controls are set from the session */
};

G_DEFINE_FINAL_TYPE (LabSidebar, lab_sidebar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The concept panel of each preset: what the family does, what its loss adds up, and what
 * to look for in the views while it trains. */
static const struct {
  const char *name, *concept_title, *concept, *loss, *watch;
} presets[] = {
  { "undercomplete", N_("What an undercomplete autoencoder does"),
    N_("The code is smaller than the input, so the network has to keep only what matters most "
       "to rebuild each example."),
    N_("Reconstruction only: the binary cross-entropy between every pixel and its rebuilt "
       "value."),
    N_("Training: grey blurs turn into {items} within the first epoch. Latent space: the "
       "{items} gather in clusters although no label was ever shown. Anomaly: the worst "
       "reconstructions are the unusual {items}.") },
  { "sparse", N_("What a sparse autoencoder does"),
    N_("A penalty keeps most code units near zero for each input, so every unit learns to answer "
       "to one particular pattern."),
    N_("Reconstruction + β · Σⱼ KL(ρ ‖ ρ̂ⱼ), which pulls the average activation ρ̂ⱼ of every "
       "code unit towards the target ρ; or λ · |code| (L1) instead."),
    N_("Inside: the mean activation of the units settles near ρ and the first-layer weights "
       "become strokes and spots. Training: the sparsity curve falls while the reconstruction "
       "pays a little for it.") },
  { "contractive", N_("What a contractive autoencoder does"),
    N_("A penalty on the encoder's Jacobian makes the code change little when the input changes a "
       "little, so it ignores noise and follows the shape of the data."),
    N_("Reconstruction + λ · ‖J‖², the squared size of the encoder's Jacobian: how far the code "
       "moves when the pixels move."),
    N_("Inside: the Jacobian norm falls as training goes on. Denoise: light noise hardly "
       "changes the output. With too large a λ every input gets the same code and every "
       "reconstruction becomes the average {item}.") },
  { "denoising", N_("What a denoising autoencoder does"),
    N_("The input is corrupted before encoding, but the output is compared with the clean "
       "example, so the network learns to remove the noise."),
    N_("Reconstruction of the clean example from its corrupted copy (Gaussian, salt and "
       "pepper, or masking noise); no other term."),
    N_("Training: a noisy input row above the reconstructions. Denoise: once trained, the "
       "model's PSNR beats the classical filter's; raise the noise level and see where each "
       "one breaks down.") },
  { "vae", N_("What a VAE does"),
    N_("The encoder gives a mean and a spread for each code; the KL term pulls codes towards "
       "N(0, I), so the latent space has no holes and any point decodes to a plausible {item}."),
    N_("Reconstruction + β · KL(q(z|x) ‖ N(0, I)): together the negative ELBO. During the "
       "warm-up β grows from zero."),
    N_("Latent space: the KL term pulls the codes towards N(0, I); watch the scatter become a "
       "round cloud without gaps. Generate: samples from the prior look like {items}. A KL "
       "curve near zero means the codes are ignored: lower β.") },
  { "linear", N_("What a linear autoencoder does"),
    N_("Without non-linearities and with a squared error, the best it can learn is the subspace "
       "PCA finds: watch it get there by gradient descent."),
    N_("Mean squared error of the reconstruction, nothing else."),
    N_("vs PCA: the angles between its subspace and PCA's shrink towards zero and the two "
       "error curves meet. Its codes are PCA's codes turned and stretched, not the principal "
       "components themselves.") },
  { "conv", N_("What a convolutional autoencoder does"),
    N_("Convolutions share their weights across the image, so the encoder looks for the same "
       "small strokes everywhere, with far fewer parameters."),
    N_("Reconstruction only: the binary cross-entropy of every pixel, as for the "
       "undercomplete model."),
    N_("Inside: the first-layer filters become small edge and stroke detectors. Training: "
       "sharp reconstructions early on, from a fraction of a dense model's weights.") },
  { "sequence", N_("What a sequence autoencoder does"),
    N_("1-D convolutions slide short filters along the window, halving its length at each "
       "layer, into one code; transposed convolutions write the window back from it (or two "
       "LSTMs, with --sequence-layer lstm)."),
    N_("Mean squared error between every step of the window and its reconstruction."),
    N_("Sequences: the reconstruction follows the waves, and on the ECG data the unusual "
       "beats are rebuilt worst. Anomaly: their errors lie beyond the threshold.") },
  { "conv-vae", N_("What a convolutional VAE does"),
    N_("A convolutional encoder gives a mean and a spread for each code, and transposed "
       "convolutions draw the image back from a sample of it: the VAE's smooth latent space "
       "with the conv model's shared filters, in grey or in colour."),
    N_("Reconstruction + β · KL(q(z|x) ‖ N(0, I)): together the negative ELBO. During the "
       "warm-up β grows from zero."),
    N_("Generate: samples from the prior look like the data, in its colours. Latent space: the "
       "codes settle into a round cloud. Inside: the first-layer filters respond to edges "
       "and to colours.") },
  { "photo-denoiser", N_("What the photo denoiser does"),
    N_("A stack of 3×3 convolutions, with no pooling and no code, looks at each pixel's "
       "neighbourhood and predicts the noise in it; the output is the input less that noise "
       "(residual learning, as DnCNN). No layer fixes the image's size, so it cleans whole "
       "photos of any size in one pass."),
    N_("Squared error between the clean patch and the noisy patch less the predicted noise, "
       "with fresh Gaussian noise (sigma 0.1) on every batch."),
    N_("Denoise: open a photo and train on a folder of photos; the model's panel beats the "
       "median filter once the loss has fallen. Training: the loss falls from the noise's own "
       "energy towards zero.") },
};

static const struct {
  const char *name, *title;
} choice_titles[] = {
  { "identity", N_("Identity") }, { "relu", N_("ReLU") }, { "leaky-relu", N_("Leaky ReLU") },
  { "leaky_relu", N_("Leaky ReLU") }, { "tanh", N_("tanh") }, { "sigmoid", N_("Sigmoid") },
  { "none", N_("None") }, { "gaussian", N_("Gaussian") }, { "salt-pepper", N_("Salt and pepper") },
  { "salt_pepper", N_("Salt and pepper") }, { "masking", N_("Masking") },
  { "mixed", N_("Mixed") },
};

/* The photo denoiser trains in batches of 4 and the digits denoiser of 8; a size read from a
 * session or the command line that is not here joins the list (lab_sidebar_show_batch). */
static const char *const batch_sizes[] = { "4", "8", "16", "32", "64", "128", "256", "512", NULL };

void
lab_sidebar_set_locked (LabSidebar *self, gboolean dataset, gboolean preset, gboolean options)
{
  GtkWidget *option_widgets[] = {
    GTK_WIDGET (self->hidden_entry), GTK_WIDGET (self->latent_spin),
    GTK_WIDGET (self->activation_dropdown), GTK_WIDGET (self->lr_scale),
    GTK_WIDGET (self->batch_dropdown), GTK_WIDGET (self->epochs_spin),
    GTK_WIDGET (self->seed_spin), self->sparse_section, self->contractive_section,
    self->denoising_section, self->vae_section,
  };

  g_return_if_fail (LAB_IS_SIDEBAR (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->dataset_dropdown), !dataset);
  gtk_widget_set_sensitive (GTK_WIDGET (self->preset_dropdown), !preset);
  for (guint i = 0; i < G_N_ELEMENTS (option_widgets); i++)
    gtk_widget_set_sensitive (option_widgets[i], !options);
}

const char *
lab_sidebar_preset_title (const char *preset)
{
  const LabCatalogEntry *entry = lab_catalog_find (lab_catalog_presets (), preset);

  return entry != NULL ? _(entry->title) : preset;
}

/* What the examples of a dataset are called in the concept panel, one and several. */
static void
dataset_nouns (const char *dataset, const char **item, const char **items)
{
  if (g_strcmp0 (dataset, "digits") == 0)
    *item = _("digit"), *items = _("digits");
  else if (g_strcmp0 (dataset, "fashion") == 0)
    *item = _("piece of clothing"), *items = _("pieces of clothing");
  else
    *item = _("example"), *items = _("examples");
}

/* text with {item} and {items} named for the dataset */
static char *
name_examples (const char *text, const char *item, const char *items)
{
  g_auto (GStrv) plural = g_strsplit (text, "{items}", -1);
  g_autofree char *joined = g_strjoinv (items, plural);
  g_auto (GStrv) single = g_strsplit (joined, "{item}", -1);

  return g_strjoinv (item, single);
}

gboolean
lab_sidebar_preset_concept (const char *preset, const char *dataset, char **title, char **what,
                            char **loss, char **watch)
{
  const char *item, *items;

  dataset_nouns (dataset, &item, &items);
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_strcmp0 (presets[i].name, preset) == 0)
      {
        *title = g_strdup (_(presets[i].concept_title));
        *what = name_examples (_(presets[i].concept), item, items);
        *loss = g_strdup (_(presets[i].loss));
        *watch = name_examples (_(presets[i].watch), item, items);
        return TRUE;
      }
  return FALSE;
}

static const char *
choice_title (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (choice_titles); i++)
    if (strcmp (choice_titles[i].name, name) == 0)
      return _(choice_titles[i].title);
  return name;
}

static guint
strv_index (const char *const *names, const char *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_strcmp0 (names[i], name) == 0)
      return i;
  return GTK_INVALID_LIST_POSITION;
}

static GListModel *
titles_model (const char *const *names, const char *(*title) (const char *))
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; names[i] != NULL; i++)
    gtk_string_list_append (list, title (names[i]));
  return G_LIST_MODEL (list);
}

static double
option_double (LabSidebar *self, const char *key)
{
  g_autofree char *value = lab_session_dup_option (self->session, key);

  return value != NULL ? g_ascii_strtod (value, NULL) : 0;
}

/* "0.001", "0.25", "3": short enough for a label, exact enough for a lesson. */
static char *
format_value (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.2g", value));
}

/* --- session -> controls ---------------------------------------------------------------- */

static void
lab_sidebar_sync_datasets (LabSidebar *self)
{
  const char *spec = lab_session_get_dataset_spec (self->session);
  guint n = self->dataset_specs->len;
  guint position = GTK_INVALID_LIST_POSITION;

  if (spec == NULL)
    return;
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (g_ptr_array_index (self->dataset_specs, i), spec) == 0)
      position = i;

  if (position == GTK_INVALID_LIST_POSITION)
    {
      /* a file opened from the menu joins the list, before "Open file…" */
      g_autofree char *base = g_path_get_basename (spec);
      const char *add[] = { base, NULL };

      gtk_string_list_splice (self->datasets, n, 0, add);
      g_ptr_array_add (self->dataset_specs, g_strdup (spec));
      position = n;
    }
  gtk_drop_down_set_selected (self->dataset_dropdown, position);
}

static double lr_from_scale (LabSidebar *self);

/* The numbers beside the sliders (a slider set to its current value emits nothing). */
static void
lab_sidebar_update_value_labels (LabSidebar *self)
{
  g_autofree char *lr = format_value (lr_from_scale (self));
  g_autofree char *noise = format_value (gtk_range_get_value (GTK_RANGE (self->noise_scale)));
  g_autofree char *kl_beta = format_value (gtk_range_get_value (GTK_RANGE (self->kl_beta_scale)));

  gtk_label_set_label (self->lr_label, lr);
  gtk_label_set_label (self->noise_label, noise);
  gtk_label_set_label (self->kl_beta_label, kl_beta);
}

/* Selects the batch size, adding it to the list in its place when it is not there. */
static void
lab_sidebar_show_batch (LabSidebar *self, const char *batch)
{
  GListModel *sizes = gtk_drop_down_get_model (self->batch_dropdown);
  guint n = g_list_model_get_n_items (sizes), at = 0;
  long wanted = batch != NULL ? strtol (batch, NULL, 10) : 0;

  for (; at < n; at++)
    {
      const char *size = gtk_string_list_get_string (GTK_STRING_LIST (sizes), at);
      if (g_strcmp0 (size, batch) == 0)
        break;
      if (strtol (size, NULL, 10) > wanted)
        {
          if (wanted > 0)
            gtk_string_list_splice (GTK_STRING_LIST (sizes), at, 0, (const char *const[]) { batch, NULL });
          break;
        }
    }
  if (at == n && wanted > 0)
    gtk_string_list_append (GTK_STRING_LIST (sizes), batch);
  gtk_drop_down_set_selected (self->batch_dropdown, wanted > 0 ? at : GTK_INVALID_LIST_POSITION);
}

static void
lab_sidebar_sync (LabSidebar *self)
{
  const char *preset;
  g_autofree char *hidden = NULL;
  g_autofree char *activation = NULL;
  g_autofree char *batch = NULL;
  g_autofree char *noise = NULL;
  g_autofree char *arch = NULL;
  g_autofree char *split = NULL;
  char **noise_parts;

  if (self->session == NULL || lab_session_get_dataset_spec (self->session) == NULL)
    return;

  self->syncing++;

  lab_sidebar_sync_datasets (self);
  split = lab_session_dup_split_text (self->session);
  gtk_label_set_label (self->split_label, split);

  preset = lab_session_get_preset (self->session);
  gtk_drop_down_set_selected (self->preset_dropdown,
                              strv_index (lab_session_list_presets (), preset));

  hidden = lab_session_dup_option (self->session, "hidden");
  gtk_editable_set_text (GTK_EDITABLE (self->hidden_entry), hidden);
  gtk_spin_button_set_value (self->latent_spin, option_double (self, "latent"));
  activation = lab_session_dup_option (self->session, "activation");
  gtk_drop_down_set_selected (self->activation_dropdown,
                              strv_index (lab_session_list_activations (), activation));
  /* the activation is that of the hidden layers: a model without any (the contractive
   * preset's one sigmoid layer, the linear one) has none to choose */
  gtk_widget_set_visible (self->activation_name, hidden[0] != '\0');
  gtk_widget_set_visible (GTK_WIDGET (self->activation_dropdown), hidden[0] != '\0');
  arch = lab_session_dup_architecture (self->session);
  gtk_label_set_label (self->arch_label, arch);

  if (fabs (lr_from_scale (self) - option_double (self, "lr")) > 1e-12)
    gtk_range_set_value (GTK_RANGE (self->lr_scale), log10 (MAX (option_double (self, "lr"), 1e-5)));
  batch = lab_session_dup_option (self->session, "batch");
  lab_sidebar_show_batch (self, batch);
  gtk_spin_button_set_value (self->epochs_spin, option_double (self, "epochs"));
  gtk_spin_button_set_value (self->seed_spin, option_double (self, "seed"));

  gtk_spin_button_set_value (self->l1_spin, option_double (self, "l1"));
  gtk_spin_button_set_value (self->rho_spin, option_double (self, "rho"));
  gtk_spin_button_set_value (self->beta_spin, option_double (self, "beta"));
  gtk_spin_button_set_value (self->contractive_spin, option_double (self, "contractive"));

  noise = lab_session_dup_option (self->session, "noise");
  noise_parts = g_strsplit (noise, ":", 2);
  gtk_drop_down_set_selected (self->noise_dropdown,
                              strv_index (lab_session_list_noise_kinds (), noise_parts[0]));
  gtk_range_set_value (GTK_RANGE (self->noise_scale),
                       noise_parts[1] != NULL ? g_ascii_strtod (noise_parts[1], NULL) : 0);
  g_strfreev (noise_parts);

  gtk_range_set_value (GTK_RANGE (self->kl_beta_scale), option_double (self, "kl-beta"));
  gtk_spin_button_set_value (self->warmup_spin, option_double (self, "warmup"));

  lab_sidebar_update_value_labels (self);

  /* A family's knobs show for its preset, and for any preset that has them switched on
   * (the families compose). */
  gtk_widget_set_visible (self->sparse_section,
                          strcmp (preset, "sparse") == 0 || option_double (self, "l1") > 0
                          || option_double (self, "beta") > 0);
  gtk_widget_set_visible (self->contractive_section,
                          strcmp (preset, "contractive") == 0
                          || option_double (self, "contractive") > 0);
  gtk_widget_set_visible (self->denoising_section,
                          strcmp (preset, "denoising") == 0 || strcmp (noise, "none") != 0);
  gtk_widget_set_visible (self->vae_section,
                          strcmp (preset, "vae") == 0 || option_double (self, "variational") > 0);

  self->syncing--;
}

/* --- controls -> session ---------------------------------------------------------------- */

static void
lab_sidebar_show_error (LabSidebar *self, const char *what, const GError *error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              what, error->message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct {
  LabSidebar *self;
  char *key;   /* an option, or "preset" */
  char *value;
} LabChange;

static void
lab_change_free (LabChange *change)
{
  g_object_unref (change->self);
  g_free (change->key);
  g_free (change->value);
  g_free (change);
}

static void
lab_sidebar_commit (LabSidebar *self, const char *key, const char *value)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (strcmp (key, "preset") == 0)
    ok = lab_session_set_preset (self->session, value, &error);
  else
    ok = lab_session_set_option (self->session, key, value, &error);

  if (!ok)
    lab_sidebar_show_error (self, _("This setting cannot be used"), error);
  /* shows the value in force (the old one after an error) and any knob that appeared */
  lab_sidebar_sync (self);
}

static void
lab_sidebar_confirm_response (gpointer owner, gpointer data, gboolean accepted)
{
  LabChange *change = data;

  if (accepted)
    lab_sidebar_commit (change->self, change->key, change->value);
  else
    lab_sidebar_sync (change->self);
}

static void
lab_sidebar_change (LabSidebar *self, const char *key, const char *value)
{
  LabChange *change;

  if (self->syncing > 0 || self->session == NULL)
    return;

  if (strcmp (key, "preset") != 0 && lab_session_option_is_live (self->session, key, value))
    {
      lab_sidebar_commit (self, key, value);
      return;
    }

  change = g_new0 (LabChange, 1);
  change->self = g_object_ref (self);
  change->key = g_strdup (key);
  change->value = g_strdup (value);
  lab_confirm_new_model (GTK_WIDGET (self), self->session, _("This change needs a new network."),
                         lab_sidebar_confirm_response, change, (GDestroyNotify) lab_change_free);
}

static void
lab_sidebar_change_double (LabSidebar *self, const char *key, double value)
{
  g_autofree char *text = format_value (value);

  lab_sidebar_change (self, key, text);
}

static void
on_dataset_selected (LabSidebar *self)
{
  guint selected = gtk_drop_down_get_selected (self->dataset_dropdown);
  const char *spec;

  if (self->syncing > 0 || self->session == NULL || selected == GTK_INVALID_LIST_POSITION)
    return;

  if (selected >= self->dataset_specs->len)
    {
      /* "Open file…": back to the current dataset until a file is chosen */
      lab_sidebar_sync (self);
      gtk_widget_activate_action (GTK_WIDGET (self), "win.open-dataset", NULL);
      return;
    }
  spec = g_ptr_array_index (self->dataset_specs, selected);
  if (g_strcmp0 (spec, lab_session_get_dataset_spec (self->session)) != 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.load-dataset", "s", spec);
}

static void
on_preset_selected (LabSidebar *self)
{
  guint selected = gtk_drop_down_get_selected (self->preset_dropdown);

  if (selected != GTK_INVALID_LIST_POSITION)
    lab_sidebar_change (self, "preset", lab_session_list_presets ()[selected]);
}

static void
on_hidden_activate (LabSidebar *self)
{
  lab_sidebar_change (self, "hidden", gtk_editable_get_text (GTK_EDITABLE (self->hidden_entry)));
}

static void
on_latent_changed (LabSidebar *self)
{
  lab_sidebar_change_double (self, "latent", gtk_spin_button_get_value (self->latent_spin));
}

/* A convolutional model with code size 0 has its last feature maps for a code: the spin
 * shows how many numbers that is (as the Inside view counts them), not 0. */
static int
maps_code_size (LabSidebar *self)
{
  LabWeights *weights = self->session != NULL ? lab_session_get_weights (self->session) : NULL;

  if (gtk_spin_button_get_value_as_int (self->latent_spin) != 0 || weights == NULL)
    return 0;
  return lab_weights_get_latent_dim (weights);
}

static gboolean
on_latent_output (LabSidebar *self)
{
  int size = maps_code_size (self);
  g_autofree char *text = NULL;

  if (size <= 0)
    return FALSE;
  text = g_strdup_printf ("%d", size);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->latent_spin)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->latent_spin), text);
  return TRUE;
}

/* The feature maps' count read back is still code size 0. */
static int
on_latent_input (LabSidebar *self, double *value)
{
  int size = maps_code_size (self);

  if (size <= 0 || atoi (gtk_editable_get_text (GTK_EDITABLE (self->latent_spin))) != size)
    return FALSE;
  *value = 0;
  return TRUE;
}

static void
on_session_snapshot (LabSidebar *self)
{
  /* the model's weights, and so its code size, come with the first report */
  on_latent_output (self);
}

static void
on_activation_selected (LabSidebar *self)
{
  guint selected = gtk_drop_down_get_selected (self->activation_dropdown);

  if (selected != GTK_INVALID_LIST_POSITION)
    lab_sidebar_change (self, "activation", lab_session_list_activations ()[selected]);
}

static double
lr_from_scale (LabSidebar *self)
{
  /* the scale is log10 of the rate; two significant digits are all a lesson needs */
  double lr = pow (10, gtk_range_get_value (GTK_RANGE (self->lr_scale)));
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_ascii_strtod (g_ascii_formatd (buf, sizeof buf, "%.1g", lr), NULL);
}

static void
on_lr_changed (LabSidebar *self)
{
  g_autofree char *text = format_value (lr_from_scale (self));

  gtk_label_set_label (self->lr_label, text);
  lab_sidebar_change (self, "lr", text);
}

static void
on_batch_selected (LabSidebar *self)
{
  GtkStringObject *selected = gtk_drop_down_get_selected_item (self->batch_dropdown);

  if (selected != NULL)
    lab_sidebar_change (self, "batch", gtk_string_object_get_string (selected));
}

static void
on_epochs_changed (LabSidebar *self)
{
  lab_sidebar_change_double (self, "epochs", gtk_spin_button_get_value (self->epochs_spin));
}

static void
on_seed_changed (LabSidebar *self)
{
  g_autofree char *text = g_strdup_printf ("%.0f", gtk_spin_button_get_value (self->seed_spin));

  lab_sidebar_change (self, "seed", text);
}

static void
on_spin_option_changed (GtkSpinButton *spin, LabSidebar *self)
{
  const char *key = g_object_get_data (G_OBJECT (spin), "lab-option");
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* the spin's own digits are the precision the user sees */
  lab_sidebar_change (self, key, g_ascii_formatd (buf, sizeof buf, "%.6g",
                                                  gtk_spin_button_get_value (spin)));
}

static void
on_noise_changed (LabSidebar *self)
{
  guint selected = gtk_drop_down_get_selected (self->noise_dropdown);
  double level = gtk_range_get_value (GTK_RANGE (self->noise_scale));
  g_autofree char *level_text = format_value (level);
  g_autofree char *value = NULL;
  const char *kind;

  gtk_label_set_label (self->noise_label, level_text);
  if (selected == GTK_INVALID_LIST_POSITION)
    return;
  kind = lab_session_list_noise_kinds ()[selected];
  value = strcmp (kind, "none") == 0 ? g_strdup ("none") : g_strdup_printf ("%s:%s", kind, level_text);
  lab_sidebar_change (self, "noise", value);
}

static void
on_kl_beta_changed (LabSidebar *self)
{
  g_autofree char *text = format_value (gtk_range_get_value (GTK_RANGE (self->kl_beta_scale)));

  gtk_label_set_label (self->kl_beta_label, text);
  lab_sidebar_change (self, "kl-beta", text);
}

static void
on_session_changed (LabSidebar *self)
{
  lab_sidebar_sync (self);
}

/* --- GObject ---------------------------------------------------------------------------- */

void
lab_sidebar_refresh (LabSidebar *self)
{
  g_return_if_fail (LAB_IS_SIDEBAR (self));
  lab_sidebar_sync (self);
}

LabSession *
lab_sidebar_get_session (LabSidebar *self)
{
  g_return_val_if_fail (LAB_IS_SIDEBAR (self), NULL);
  return self->session;
}

void
lab_sidebar_set_session (LabSidebar *self, LabSession *session)
{
  g_return_if_fail (LAB_IS_SIDEBAR (self));
  g_return_if_fail (session == NULL || LAB_IS_SESSION (session));

  if (!lab_session_replace (&self->session, session, self))
    return;
  if (session != NULL)
    {
      g_signal_connect_swapped (session, "options-changed", G_CALLBACK (on_session_changed), self);
      g_signal_connect_swapped (session, "snapshot", G_CALLBACK (on_session_snapshot), self);
      lab_sidebar_sync (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

static void
lab_sidebar_dispose (GObject *object)
{
  LabSidebar *self = LAB_SIDEBAR (object);

  lab_sidebar_set_session (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_SIDEBAR);
  g_clear_object (&self->datasets);
  g_clear_pointer (&self->dataset_specs, g_ptr_array_unref);

  G_OBJECT_CLASS (lab_sidebar_parent_class)->dispose (object);
}

static void
lab_sidebar_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LabSidebar *self = LAB_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_sidebar_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LabSidebar *self = LAB_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_SESSION: lab_sidebar_set_session (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_sidebar_class_init (LabSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_sidebar_dispose;
  object_class->get_property = lab_sidebar_get_property;
  object_class->set_property = lab_sidebar_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, LAB_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/latentlab/LatentLab/ui/lab-sidebar.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "labsidebar");

  gtk_widget_class_bind_template_child (widget_class, LabSidebar, scroller);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, dataset_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, split_label);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, preset_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, hidden_entry);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, latent_spin);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, activation_name);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, activation_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, arch_label);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, lr_scale);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, lr_label);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, batch_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, epochs_spin);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, sparse_section);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, l1_spin);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, rho_spin);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, beta_spin);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, contractive_section);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, contractive_spin);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, denoising_section);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, noise_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, noise_scale);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, noise_label);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, vae_section);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, kl_beta_scale);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, kl_beta_label);
  gtk_widget_class_bind_template_child (widget_class, LabSidebar, warmup_spin);
}

static void
label_controls (GtkWidget *widget, GtkWidget *label)
{
  if (GTK_IS_RANGE (widget) || GTK_IS_SPIN_BUTTON (widget) || GTK_IS_DROP_DOWN (widget)
      || GTK_IS_ENTRY (widget))
    {
      gtk_accessible_update_relation (GTK_ACCESSIBLE (widget),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL, -1);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    label_controls (child, label);
}

/* Every grid row of the sidebar is "name | control": the name labels the control for
 * screen readers, as it does for the eye. */
static void
label_grid_rows (GtkWidget *widget)
{
  if (GTK_IS_GRID (widget))
    {
      for (int row = 0;; row++)
        {
          GtkWidget *name = gtk_grid_get_child_at (GTK_GRID (widget), 0, row);
          GtkWidget *value = gtk_grid_get_child_at (GTK_GRID (widget), 1, row);

          if (name == NULL && value == NULL)
            break;
          if (GTK_IS_LABEL (name) && value != NULL)
            label_controls (value, name);
        }
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    label_grid_rows (child);
}

static void
lab_sidebar_init (LabSidebar *self)
{
  g_autoptr(GtkStringList) batch_model = NULL;
  g_autoptr(GListModel) preset_model = NULL;
  g_autoptr(GListModel) activation_model = NULL;
  g_autoptr(GListModel) noise_model = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  label_grid_rows (GTK_WIDGET (self));

  self->datasets = gtk_string_list_new (NULL);
  self->dataset_specs = g_ptr_array_new_with_free_func (g_free);
  /* the built-in datasets that load here (Fashion-MNIST only when installed) */
  for (const LabCatalogEntry *d = lab_catalog_datasets (); d->name != NULL; d++)
    if (lab_catalog_dataset_available (d->name))
      {
        gtk_string_list_append (self->datasets, _(d->choice));
        g_ptr_array_add (self->dataset_specs, g_strdup (d->name));
      }
  gtk_string_list_append (self->datasets, _("Open file…"));
  gtk_drop_down_set_model (self->dataset_dropdown, G_LIST_MODEL (self->datasets));

  batch_model = gtk_string_list_new (batch_sizes);
  gtk_drop_down_set_model (self->batch_dropdown, G_LIST_MODEL (batch_model));
  preset_model = titles_model (lab_session_list_presets (), lab_sidebar_preset_title);
  gtk_drop_down_set_model (self->preset_dropdown, preset_model);
  activation_model = titles_model (lab_session_list_activations (), choice_title);
  gtk_drop_down_set_model (self->activation_dropdown, activation_model);
  noise_model = titles_model (lab_session_list_noise_kinds (), choice_title);
  gtk_drop_down_set_model (self->noise_dropdown, noise_model);

  g_object_set_data (G_OBJECT (self->l1_spin), "lab-option", (gpointer) "l1");
  g_object_set_data (G_OBJECT (self->rho_spin), "lab-option", (gpointer) "rho");
  g_object_set_data (G_OBJECT (self->beta_spin), "lab-option", (gpointer) "beta");
  g_object_set_data (G_OBJECT (self->contractive_spin), "lab-option", (gpointer) "contractive");
  g_object_set_data (G_OBJECT (self->warmup_spin), "lab-option", (gpointer) "warmup");

  g_signal_connect_swapped (self->dataset_dropdown, "notify::selected", G_CALLBACK (on_dataset_selected), self);
  g_signal_connect_swapped (self->preset_dropdown, "notify::selected", G_CALLBACK (on_preset_selected), self);
  g_signal_connect_swapped (self->hidden_entry, "activate", G_CALLBACK (on_hidden_activate), self);
  g_signal_connect_swapped (self->latent_spin, "value-changed", G_CALLBACK (on_latent_changed), self);
  g_signal_connect_swapped (self->latent_spin, "output", G_CALLBACK (on_latent_output), self);
  g_signal_connect_swapped (self->latent_spin, "input", G_CALLBACK (on_latent_input), self);
  g_signal_connect_swapped (self->activation_dropdown, "notify::selected", G_CALLBACK (on_activation_selected), self);
  g_signal_connect_swapped (self->lr_scale, "value-changed", G_CALLBACK (on_lr_changed), self);
  g_signal_connect_swapped (self->batch_dropdown, "notify::selected", G_CALLBACK (on_batch_selected), self);
  g_signal_connect_swapped (self->epochs_spin, "value-changed", G_CALLBACK (on_epochs_changed), self);
  g_signal_connect_swapped (self->seed_spin, "value-changed", G_CALLBACK (on_seed_changed), self);
  g_signal_connect (self->l1_spin, "value-changed", G_CALLBACK (on_spin_option_changed), self);
  g_signal_connect (self->rho_spin, "value-changed", G_CALLBACK (on_spin_option_changed), self);
  g_signal_connect (self->beta_spin, "value-changed", G_CALLBACK (on_spin_option_changed), self);
  g_signal_connect (self->contractive_spin, "value-changed", G_CALLBACK (on_spin_option_changed), self);
  g_signal_connect (self->warmup_spin, "value-changed", G_CALLBACK (on_spin_option_changed), self);
  g_signal_connect_swapped (self->noise_dropdown, "notify::selected", G_CALLBACK (on_noise_changed), self);
  g_signal_connect_swapped (self->noise_scale, "value-changed", G_CALLBACK (on_noise_changed), self);
  g_signal_connect_swapped (self->kl_beta_scale, "value-changed", G_CALLBACK (on_kl_beta_changed), self);
}
