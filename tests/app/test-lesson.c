/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Lessons without training: parsing (escapes, lists, translations skipped), the bundled
 * lessons, folding settings across steps, and evaluating checks against measures of a small
 * model, including references to earlier steps. GLib-free, as the lesson code is. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ae-test.h"
#include "lab-lesson-measure.h"
#include "lab-lesson-run.h"
#include "lab-lesson.h"

static LabLesson *
parse (const char *text, AeError *err)
{
  LabLesson *lesson = NULL;
  if (lab_lesson_parse (&lesson, text, strlen (text), "/some/folder/test.lesson", err) != AE_OK)
    return NULL;
  return lesson;
}

static void
test_parse_values (void)
{
  AeError err = { 0 };
  LabLesson *l = parse ("# comment\n[lesson]\ntitle = T\nminutes = 15\n\n"
                        "[step 1]\ntitle = One\ntext = a\\nb\\s\ntext[fr] = skipped\n"
                        "preset = vae\noptions = latent=8  kl-beta=4\nnormal = 0,3\n"
                        "views = generate;latent;\nlocked = preset\naction = run-epochs=2\n"
                        "predict = Q?\nchoices = x\\;y;z\nanswer = 2\n"
                        "checks = kl < 3 * kl_quiet;auroc >= pca_auroc + 0.03\n"
                        "[step 2]\ntitle = Two\ntext = t\noptions = kl-beta=8\n"
                        "checks = kl < step1.kl\n", &err);
  CHECK (l != NULL, "%s", err.message);
  if (l == NULL)
    return;
  CHECK (strcmp (l->name, "test") == 0 && strcmp (l->title, "T") == 0 && l->minutes == 15, "%s", l->name);
  CHECK (l->n_steps == 2, "%d steps", l->n_steps);
  const LabLessonStep *s = &l->steps[0];
  CHECK (strcmp (s->text, "a\nb ") == 0, "text '%s'", s->text);
  CHECK (s->n_options == 2 && strcmp (s->option_names[1], "kl-beta") == 0
         && strcmp (s->option_values[1], "4") == 0, "%d options", s->n_options);
  CHECK (s->n_views == 2 && strcmp (s->views[0], "generate") == 0, "%d views", s->n_views);
  CHECK (s->n_choices == 2 && strcmp (s->choices[0], "x;y") == 0 && s->answer == 1, "%d choices",
         s->n_choices);
  CHECK (s->run_epochs == 2 && strcmp (s->normal, "0,3") == 0, "epochs %d", s->run_epochs);
  CHECK (s->n_checks == 2, "%d checks", s->n_checks);
  CHECK (s->checks[0].op == LAB_CHECK_LT && s->checks[0].join == '*' && !s->checks[0].right[0].is_metric
         && s->checks[0].right[0].number == 3.0 && s->checks[0].right[1].is_metric,
         "%s", s->checks[0].text);
  CHECK (l->steps[1].checks[0].right[0].step == 1, "step ref %d", l->steps[1].checks[0].right[0].step);

  /* settings fold: step 2 keeps step 1's preset, data and options, and trains on (kl-beta is
   * a live change) */
  LabStepSettings set;
  CHECK (lab_lesson_settings (l, 1, &set, &err) == AE_OK, "%s", err.message);
  CHECK (set.config.variational && set.config.latent == 8 && set.config.kl_beta == 8.0f && !set.fresh,
         "latent %d beta %g fresh %d", set.config.latent, set.config.kl_beta, set.fresh);
  CHECK (strcmp (set.normal, "0,3") == 0 && strcmp (set.dataset, "digits") == 0, "%s", set.dataset);
  uint8_t *flags = NULL;
  CHECK (lab_lesson_normal_flags (l, 0, set.normal, 10, &flags, &err) == AE_OK, "%s", err.message);
  CHECK (flags != NULL && flags[0] && flags[3] && !flags[1], "flags");
  free (flags);
  CHECK (lab_lesson_normal_flags (l, 0, "12", 10, &flags, &err) != AE_OK
         && strstr (err.message, "test.lesson:6:") != NULL, "%s", err.message);
  lab_lesson_free (l);
}

static void
test_architecture_change_is_fresh (void)
{
  AeError err = { 0 };
  LabLesson *l = parse ("[lesson]\ntitle = T\n[step 1]\ntitle = a\ntext = b\npreset = linear\n"
                        "[step 2]\ntitle = a\ntext = b\noptions = latent=9\n"
                        "[step 3]\ntitle = a\ntext = b\noptions = lr=0.1\n", &err);
  LabStepSettings set;
  CHECK (l != NULL, "%s", err.message);
  if (l == NULL)
    return;
  lab_lesson_settings (l, 1, &set, &err);
  CHECK (set.fresh && set.config.latent == 9, "a new code size is a new model");
  lab_lesson_settings (l, 2, &set, &err);
  CHECK (!set.fresh && set.config.latent == 9, "a learning rate trains on");
  lab_lesson_free (l);
}

static void
test_bundled_parse (void)
{
  CHECK (lab_lesson_bundled_count () >= 6, "%d", lab_lesson_bundled_count ());
  for (int i = 0; i < lab_lesson_bundled_count (); i++)
    {
      LabLesson *l = NULL;
      AeError err = { 0 };
      CHECK (lab_lesson_open (&l, lab_lesson_bundled_name (i), &err) == AE_OK, "%s", err.message);
      if (l == NULL)
        continue;
      CHECK (l->minutes >= 15 && l->minutes <= 30, "%s: %d minutes", l->name, l->minutes);
      int checks = 0, predictions = 0;
      for (int s = 0; s < l->n_steps; s++)
        {
          checks += l->steps[s].n_checks;
          predictions += l->steps[s].predict != NULL;
          CHECK (l->steps[s].n_views > 0, "%s step %d shows no view", l->name, s + 1);
        }
      CHECK (checks >= 3 && predictions >= 1, "%s: %d checks, %d predictions", l->name, checks,
             predictions);
      lab_lesson_free (l);
    }
}

/* A check evaluated against measures of a real (untrained) model. */
static void
test_evaluate (void)
{
  AeError err = { 0 };
  AeDataset *ds = NULL;
  AeConfig cfg;
  AeModel *model = NULL;
  LabLesson *l = parse ("[lesson]\ntitle = T\n[step 1]\ntitle = a\ntext = b\npreset = linear\n"
                        "checks = test_error > 0;test_error < 0\n"
                        "[step 2]\ntitle = a\ntext = b\n"
                        "checks = test_error <= step1.test_error * 1;epochs > step1.test_error\n", &err);
  CHECK (l != NULL, "%s", err.message);
  CHECK (ae_dataset_new (&ds, 40, 1, 3, 3, 2, &err) == AE_OK, "%s", err.message);
  if (l == NULL || ds == NULL)
    return;
  for (long i = 0; i < ds->n * ds->dim; i++)
    ds->x[i] = (float) ((i * 7) % 11) / 11.0f;
  for (long i = 0; i < ds->n; i++)
    ds->labels[i] = (int) (i % 2);
  ae_dataset_split_fixed (ds, 10, 0.0);
  ae_config_preset (&cfg, "linear", NULL);
  cfg.latent = 2;
  CHECK (ae_config_fit_data (&cfg, ds, &err) == AE_OK, "%s", err.message);
  CHECK (ae_model_new (&model, &cfg, &err) == AE_OK, "%s", err.message);
  LabMeasure *m1 = lab_measure_new (ae_model_clone (model), ds, NULL);
  LabMeasure *m2 = lab_measure_new (model, ds, NULL);
  double left, right;
  CHECK (lab_check_evaluate (&l->steps[0].checks[0], m1, NULL, 0, &left, &right) && left > 0
         && right == 0, "%g %g", left, right);
  CHECK (!lab_check_evaluate (&l->steps[0].checks[1], m1, NULL, 0, &left, &right), "%g", left);
  lab_measure_detach (m1);
  LabMeasure *earlier[1] = { m1 };
  CHECK (lab_check_evaluate (&l->steps[1].checks[0], m2, earlier, 1, &left, &right) && left == right,
         "the same weights: %g against %g", left, right);
  /* a metric nobody recorded is NaN, and NaN never holds */
  CHECK (!lab_check_evaluate (&l->steps[1].checks[1], m2, earlier, 1, &left, &right) && isnan (left),
         "%g", left);
  lab_measure_record (m2, "epochs", 1e9);
  CHECK (lab_check_evaluate (&l->steps[1].checks[1], m2, earlier, 1, &left, &right), "%g", left);
  /* a detached measure keeps what it measured and answers nothing new */
  CHECK (isnan (lab_measure_get (m1, "knn5_code")), "measured after detaching");
  lab_measure_free (m1);
  lab_measure_free (m2);
  ae_dataset_free (ds);
  lab_lesson_free (l);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/lesson/parse", test_parse_values },
    { "/lesson/fresh", test_architecture_change_is_fresh },
    { "/lesson/bundled", test_bundled_parse },
    { "/lesson/evaluate", test_evaluate },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
