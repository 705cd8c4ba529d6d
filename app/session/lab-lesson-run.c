/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-lesson-run.c: folding a lesson's settings, running its steps headless, and
 * evaluating checks (see lab-lesson-run.h). */
#include "lab-lesson-run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ae-trainer.h"

AeStatus
lab_lesson_settings (const LabLesson *lesson, int index, LabStepSettings *out, AeError *err)
{
  memset (out, 0, sizeof *out);
  for (int i = 0; i <= index; i++)
    {
      const LabLessonStep *s = &lesson->steps[i];
      AeConfig before = out->config;
      int fresh = i == 0 || s->preset != NULL;
      if (s->preset != NULL)
        ae_config_preset (&out->config, s->preset, NULL);
      else if (i == 0)
        ae_config_preset (&out->config, "undercomplete", NULL);
      for (int k = 0; k < s->n_options; k++)
        {
          AeError option_err = { 0 };
          if (ae_config_set (&out->config, s->option_names[k], s->option_values[k], &option_err)
              != AE_OK)
            return ae_error_set (err, AE_ERR_INVALID, "%s:%d: %s", lesson->path, s->line,
                                 option_err.message);
        }
      if (s->dataset != NULL && (out->dataset == NULL || strcmp (s->dataset, out->dataset) != 0))
        fresh = 1;
      if (s->dataset != NULL)
        out->dataset = s->dataset;
      if (s->normal != NULL
          && (out->normal == NULL || strcmp (s->normal, out->normal) != 0))
        fresh = 1;
      if (s->normal != NULL)
        out->normal = s->normal;
      if (!fresh && !ae_config_is_live_change (&before, &out->config))
        fresh = 1;
      out->fresh = fresh;
    }
  if (out->dataset == NULL)
    out->dataset = out->config.arch == AE_ARCH_SEQUENCE ? "sines" : "digits";
  if (out->normal != NULL && strcmp (out->normal, "all") == 0)
    out->normal = NULL;
  return AE_OK;
}

AeStatus
lab_lesson_normal_flags (const LabLesson *lesson, int index, const char *normal, int n_classes,
                         uint8_t **flags, AeError *err)
{
  *flags = NULL;
  if (normal == NULL || strcmp (normal, "all") == 0)
    return AE_OK;
  const LabLessonStep *s = &lesson->steps[index];
  if (n_classes < 2)
    return ae_error_set (err, AE_ERR_INVALID, "%s:%d: normal %s: the dataset has no classes",
                         lesson->path, s->line, normal);
  *flags = calloc ((size_t) n_classes, 1);
  if (*flags == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "out of memory");
  for (const char *c = normal; *c != '\0';)
    {
      char *end;
      long k = strtol (c, &end, 10);
      if (end == c || k < 0 || k >= n_classes)
        {
          free (*flags);
          *flags = NULL;
          return ae_error_set (err, AE_ERR_INVALID,
                               "%s:%d: normal %s: classes run from 0 to %d", lesson->path, s->line,
                               normal, n_classes - 1);
        }
      (*flags)[k] = 1;
      c = *end == ',' ? end + 1 : end;
    }
  return AE_OK;
}

static double
operand_value (const LabOperand *o, LabMeasure *now, LabMeasure *const *earlier, int n_earlier)
{
  if (!o->is_metric)
    return o->number;
  if (o->step == 0)
    return lab_measure_get (now, o->metric);
  if (o->step > n_earlier || earlier[o->step - 1] == NULL)
    return NAN;
  return lab_measure_get (earlier[o->step - 1], o->metric);
}

int
lab_check_evaluate (const LabCheck *check, LabMeasure *now, LabMeasure *const *earlier,
                    int n_earlier, double *left, double *right)
{
  double a = operand_value (&check->left, now, earlier, n_earlier);
  double b = operand_value (&check->right[0], now, earlier, n_earlier);
  if (check->join != 0)
    {
      double c = operand_value (&check->right[1], now, earlier, n_earlier);
      b = check->join == '+' ? b + c : check->join == '-' ? b - c : b * c;
    }
  *left = a;
  *right = b;
  return lab_check_holds (check->op, a, b);
}

/* --- the headless run ---------------------------------------------------------------------- */

struct LabLessonRun {
  const LabLesson *lesson;
  LabMeasure *measures[LAB_LESSON_MAX_STEPS];
  /* the data in use, its spec and its own split (kept to undo a normal-class filter) */
  AeDataset *data;
  char *data_spec;
  uint32_t *full_order;
  long full_n_train, full_n_val;
  char *normal;
  AeModel *model; /* the weights at the end of the last step that trained */
  AeConfig config;
  int epochs;
};

LabLessonRun *
lab_lesson_run_new (const LabLesson *lesson)
{
  LabLessonRun *run = calloc (1, sizeof *run);
  if (run != NULL)
    run->lesson = lesson;
  return run;
}

void
lab_lesson_run_free (LabLessonRun *run)
{
  if (run == NULL)
    return;
  for (int i = 0; i < LAB_LESSON_MAX_STEPS; i++)
    lab_measure_free (run->measures[i]);
  ae_model_free (run->model);
  ae_dataset_free (run->data);
  free (run->data_spec);
  free (run->full_order);
  free (run->normal);
  free (run);
}

LabMeasure *
lab_lesson_run_measure (LabLessonRun *run, int index)
{
  return index >= 0 && index < LAB_LESSON_MAX_STEPS ? run->measures[index] : NULL;
}

LabMeasure *const *
lab_lesson_run_measures (LabLessonRun *run)
{
  return run->measures;
}

char *
lab_lesson_resolve_dataset (const LabLesson *lesson, const char *spec)
{
  static const char *const builtin[] = { "digits", "fashion", "sines", "ecg", NULL };
  const char *slash = strrchr (lesson->path, '/');
  for (int i = 0; builtin[i] != NULL; i++)
    if (strcmp (spec, builtin[i]) == 0)
      return strdup (spec);
  if (spec[0] == '/' || slash == NULL)
    return strdup (spec);
  size_t dir = (size_t) (slash - lesson->path) + 1, n = dir + strlen (spec) + 1;
  char *path = malloc (n);
  if (path != NULL)
    {
      memcpy (path, lesson->path, dir);
      strcpy (path + dir, spec);
    }
  return path;
}

typedef struct {
  int diverged;
  char message[AE_ERROR_MESSAGE_MAX];
  AeLossTerms train, val;
  int has_val, epochs;
} RunReport;

static void
on_report (AeReport *r, void *data)
{
  RunReport *v = data;
  if (r->kind == AE_REPORT_EPOCH)
    {
      v->epochs++;
      v->train = r->train;
      v->val = r->val;
      v->has_val = r->has_val;
    }
  else if (r->kind == AE_REPORT_DIVERGED)
    {
      v->diverged = 1;
      snprintf (v->message, sizeof v->message, "%s", r->message);
    }
  ae_report_free (r);
}

static AeStatus
load_data (LabLessonRun *run, int index, const LabStepSettings *set, AeError *err)
{
  const LabLesson *lesson = run->lesson;
  char *spec = lab_lesson_resolve_dataset (lesson, set->dataset);
  AeStatus status = AE_OK;
  if (spec == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "out of memory");
  if (run->data == NULL || strcmp (spec, run->data_spec) != 0)
    {
      AeDataset *ds = NULL;
      AeError load_err = { 0 };
      if (ae_dataset_load (&ds, spec, set->config.seed, &load_err) != AE_OK)
        {
          status = ae_error_set (err, load_err.status, "%s:%d: dataset: %s", lesson->path,
                                 lesson->steps[index].line, load_err.message);
          free (spec);
          return status;
        }
      ae_dataset_free (run->data);
      free (run->data_spec);
      free (run->full_order);
      run->data = ds;
      run->data_spec = spec;
      run->full_order = malloc ((size_t) ds->n * sizeof *run->full_order);
      if (run->full_order == NULL)
        return ae_error_set (err, AE_ERR_NOMEM, "out of memory");
      memcpy (run->full_order, ds->order, (size_t) ds->n * sizeof *ds->order);
      run->full_n_train = ds->n_train;
      run->full_n_val = ds->n_val;
    }
  else
    free (spec);
  /* the dataset's own split, then the normal classes' filter */
  memcpy (run->data->order, run->full_order, (size_t) run->data->n * sizeof *run->full_order);
  run->data->n_train = run->full_n_train;
  run->data->n_val = run->full_n_val;
  return status;
}

static void
warm (LabMeasure *m, const LabOperand *o, int step_number)
{
  if (o->is_metric && o->step == step_number)
    lab_measure_get (m, o->metric);
}

void
lab_lesson_measure_step (const LabLesson *lesson, int index, LabMeasure *m)
{
  const int number = lesson->steps[index].number;
  for (int i = index; i < lesson->n_steps; i++)
    for (int c = 0; c < lesson->steps[i].n_checks; c++)
      {
        const LabCheck *check = &lesson->steps[i].checks[c];
        const int as = i == index ? 0 : number;
        warm (m, &check->left, as);
        warm (m, &check->right[0], as);
        if (check->join)
          warm (m, &check->right[1], as);
      }
  lab_measure_detach (m);
}

AeStatus
lab_lesson_run_step (LabLessonRun *run, int index, AeError *err)
{
  const LabLesson *lesson = run->lesson;
  const LabLessonStep *step = &lesson->steps[index];
  LabStepSettings set;
  uint8_t *normal = NULL;
  AeStatus status;

  if ((status = lab_lesson_settings (lesson, index, &set, err)) != AE_OK
      || (status = load_data (run, index, &set, err)) != AE_OK
      || (status = lab_lesson_normal_flags (lesson, index, set.normal, run->data->n_classes,
                                            &normal, err)) != AE_OK)
    return status;
  /* training and validation keep only the normal classes; the test split stays whole */
  if (normal != NULL && (status = ae_dataset_keep_classes (run->data, normal, err)) != AE_OK)
    {
      free (normal);
      return status;
    }
  AeError fit_err = { 0 };
  if (ae_config_fit_data (&set.config, run->data, &fit_err) != AE_OK
      || ae_config_validate (&set.config, &fit_err) != AE_OK)
    {
      free (normal);
      return ae_error_set (err, fit_err.status, "%s:%d: %s", lesson->path, step->line,
                           fit_err.message);
    }
  if (set.fresh || run->model == NULL)
    {
      ae_model_free (run->model);
      run->model = NULL;
      run->epochs = 0;
      if ((status = ae_model_new (&run->model, &set.config, err)) != AE_OK)
        {
          free (normal);
          return status;
        }
    }
  run->config = set.config;
  if (step->run_epochs > 0)
    {
      AeTrainerOptions opts;
      AeTrainer *trainer = NULL;
      RunReport report = { 0 };
      ae_trainer_options_init (&opts);
      opts.data = run->data;
      opts.config = set.config;
      opts.config.epochs = step->run_epochs;
      opts.n_preview = 0;
      opts.n_codes = 0;
      opts.report_hz = 0;
      opts.codes_hz = 0;
      opts.weights_hz = 0;
      opts.report = on_report;
      opts.user_data = &report;
      if (run->epochs > 0)
        {
          opts.start_weights = run->model;
          opts.start_epoch = run->epochs;
        }
      if ((status = ae_trainer_new (&trainer, &opts, err)) != AE_OK)
        {
          free (normal);
          return status;
        }
      ae_trainer_run (trainer);
      ae_trainer_wait_idle (trainer);
      AeModel *trained = ae_trainer_clone_weights (trainer);
      ae_trainer_free (trainer);
      if (report.diverged || trained == NULL)
        {
          ae_model_free (trained);
          free (normal);
          return ae_error_set (err, report.diverged ? AE_ERR_DIVERGED : AE_ERR_NOMEM,
                               "%s:%d: step %d: %s", lesson->path, step->line, step->number,
                               report.diverged ? report.message : "out of memory");
        }
      ae_model_free (run->model);
      run->model = trained;
      run->epochs += report.epochs;
      lab_measure_free (run->measures[index]);
      run->measures[index] = lab_measure_new (ae_model_clone (run->model), run->data, normal);
      if (run->measures[index] != NULL)
        {
          lab_measure_record (run->measures[index], "train_loss", report.train.total);
          lab_measure_record (run->measures[index], "val_loss",
                              report.has_val ? report.val.total : NAN);
        }
    }
  else
    {
      lab_measure_free (run->measures[index]);
      run->measures[index] = lab_measure_new (ae_model_clone (run->model), run->data, normal);
    }
  free (normal);
  if (run->measures[index] == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "out of memory for the step's measures");
  lab_measure_record (run->measures[index], "epochs", run->epochs);
  lab_lesson_measure_step (lesson, index, run->measures[index]);
  return AE_OK;
}
