/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-lesson-state.c: a lesson as the window runs it (see lab-lesson-state.h). */
#include <math.h>
#include <string.h>

#include "ae-dataset.h"

#include "lab-background.h"
#include "lab-lesson-measure.h"
#include "lab-lesson-run.h"
#include "lab-lesson-state.h"
#include "lab-lesson.h"
#include "lab-session-private.h"

/* A copy of the samples the metrics read, shared by the measures of one model's run. */
typedef struct {
  AeDataset *data;
} MeasureData;

static void
measure_data_clear (gpointer data)
{
  ae_dataset_free (((MeasureData *) data)->data);
}

static void
measure_data_unref (MeasureData *data)
{
  g_atomic_rc_box_release_full (data, measure_data_clear);
}

struct _LabLessonState {
  GObject parent_instance;

  LabLesson *lesson;
  char *source;             /* a bundled name or an absolute path */
  guint step;
  int answers[LAB_LESSON_MAX_STEPS];
  gboolean ran[LAB_LESSON_MAX_STEPS];
  LabMeasure *measures[LAB_LESSON_MAX_STEPS]; /* detached: values only */
  LabSnapshot *snapshots[LAB_LESSON_MAX_STEPS];
  char **views[LAB_LESSON_MAX_STEPS];         /* NULL-terminated copies */
  GCancellable *measuring;  /* the measure in flight, or NULL */
  /* the samples copied for the last measure, and what they were copied from: the copy is
   * made once per model, not once per epoch measured */
  MeasureData *data;
  gconstpointer data_source;
  guint data_generation;
};

G_DEFINE_FINAL_TYPE (LabLessonState, lab_lesson_state, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STEP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
lab_lesson_state_finalize (GObject *object)
{
  LabLessonState *self = LAB_LESSON_STATE (object);

  if (self->measuring != NULL)
    g_cancellable_cancel (self->measuring);
  g_clear_object (&self->measuring);
  for (int i = 0; i < LAB_LESSON_MAX_STEPS; i++)
    {
      lab_measure_free (self->measures[i]);
      g_clear_pointer (&self->snapshots[i], lab_snapshot_unref);
      g_strfreev (self->views[i]);
    }
  g_clear_pointer (&self->data, measure_data_unref);
  lab_lesson_free (self->lesson);
  g_free (self->source);
  G_OBJECT_CLASS (lab_lesson_state_parent_class)->finalize (object);
}

static void
lab_lesson_state_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LabLessonState *self = LAB_LESSON_STATE (object);

  switch (prop_id)
    {
    case PROP_STEP:
      g_value_set_uint (value, self->step);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_lesson_state_class_init (LabLessonStateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lab_lesson_state_finalize;
  object_class->get_property = lab_lesson_state_get_property;
  properties[PROP_STEP] = g_param_spec_uint ("step", NULL, NULL, 0, LAB_LESSON_MAX_STEPS, 0,
                                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                             | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  /* answers, runs or measured values changed */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lab_lesson_state_init (LabLessonState *self)
{
  for (int i = 0; i < LAB_LESSON_MAX_STEPS; i++)
    self->answers[i] = -1;
}

LabLessonState *
lab_lesson_state_open (const char *file_or_name, GError **error)
{
  LabLessonState *self;
  LabLesson *lesson = NULL;
  AeError err = { 0 };
  g_autofree char *source = NULL;

  g_return_val_if_fail (file_or_name != NULL, NULL);

  if (g_str_has_prefix (file_or_name, "bundled:"))
    file_or_name += strlen ("bundled:");
  if (lab_lesson_open (&lesson, file_or_name, &err) != AE_OK)
    {
      _lab_set_error_from_ae (error, &err);
      return NULL;
    }
  /* a bundled lesson's path is its name: a file's path is kept absolute for session files */
  if (strchr (file_or_name, '/') != NULL || g_str_has_suffix (file_or_name, ".lesson"))
    source = g_canonicalize_filename (file_or_name, NULL);
  else
    source = g_strconcat ("bundled:", file_or_name, NULL);

  self = g_object_new (LAB_TYPE_LESSON_STATE, NULL);
  self->lesson = lesson;
  self->source = g_steal_pointer (&source);
  for (int i = 0; i < lesson->n_steps; i++)
    {
      const LabLessonStep *s = &lesson->steps[i];

      self->views[i] = g_new0 (char *, s->n_views + 1);
      for (int v = 0; v < s->n_views; v++)
        self->views[i][v] = g_strdup (s->views[v]);
    }
  return self;
}

guint
lab_lesson_state_bundled_count (void)
{
  return (guint) lab_lesson_bundled_count ();
}

const char *
lab_lesson_state_bundled_name (guint i)
{
  g_return_val_if_fail (i < lab_lesson_state_bundled_count (), NULL);
  return lab_lesson_bundled_name ((int) i);
}

char *
lab_lesson_state_dup_bundled_title (guint i)
{
  LabLesson *lesson = NULL;
  const char *text;
  char *title;

  g_return_val_if_fail (i < lab_lesson_state_bundled_count (), NULL);
  text = lab_lesson_bundled_text ((int) i);
  /* bundled lessons are checked by the tests; a parse failure here is a build defect */
  if (lab_lesson_parse (&lesson, text, strlen (text), lab_lesson_bundled_name ((int) i), NULL)
      != AE_OK)
    return g_strdup (lab_lesson_bundled_name ((int) i));
  title = g_strdup (lesson->title);
  lab_lesson_free (lesson);
  return title;
}

const char *
lab_lesson_state_get_source (LabLessonState *self)
{
  g_return_val_if_fail (LAB_IS_LESSON_STATE (self), NULL);
  return self->source;
}

const char *
lab_lesson_state_get_title (LabLessonState *self)
{
  g_return_val_if_fail (LAB_IS_LESSON_STATE (self), NULL);
  return self->lesson->title;
}

const char *
lab_lesson_state_get_summary (LabLessonState *self)
{
  g_return_val_if_fail (LAB_IS_LESSON_STATE (self), NULL);
  return self->lesson->summary;
}

int
lab_lesson_state_get_minutes (LabLessonState *self)
{
  g_return_val_if_fail (LAB_IS_LESSON_STATE (self), 0);
  return self->lesson->minutes;
}

guint
lab_lesson_state_get_n_steps (LabLessonState *self)
{
  g_return_val_if_fail (LAB_IS_LESSON_STATE (self), 0);
  return (guint) self->lesson->n_steps;
}

guint
lab_lesson_state_get_step (LabLessonState *self)
{
  g_return_val_if_fail (LAB_IS_LESSON_STATE (self), 0);
  return self->step;
}

void
lab_lesson_state_set_step (LabLessonState *self, guint step)
{
  g_return_if_fail (LAB_IS_LESSON_STATE (self));
  g_return_if_fail (step < (guint) self->lesson->n_steps);
  if (self->step == step)
    return;
  self->step = step;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP]);
}

static const LabLessonStep *
get_step (LabLessonState *self, guint step)
{
  g_return_val_if_fail (LAB_IS_LESSON_STATE (self), NULL);
  g_return_val_if_fail (step < (guint) self->lesson->n_steps, NULL);
  return &self->lesson->steps[step];
}

const char *
lab_lesson_state_step_title (LabLessonState *self, guint step)
{
  const LabLessonStep *s = get_step (self, step);
  return s != NULL ? s->title : NULL;
}

const char *
lab_lesson_state_step_text (LabLessonState *self, guint step)
{
  const LabLessonStep *s = get_step (self, step);
  return s != NULL ? s->text : NULL;
}

const char *
lab_lesson_state_step_notes (LabLessonState *self, guint step)
{
  const LabLessonStep *s = get_step (self, step);
  return s != NULL ? s->notes : NULL;
}

int
lab_lesson_state_step_run_epochs (LabLessonState *self, guint step)
{
  const LabLessonStep *s = get_step (self, step);
  return s != NULL ? s->run_epochs : 0;
}

const char *const *
lab_lesson_state_step_views (LabLessonState *self, guint step)
{
  if (get_step (self, step) == NULL)
    return NULL;
  return (const char *const *) self->views[step];
}

gboolean
lab_lesson_state_step_locks (LabLessonState *self, guint step, const char *control)
{
  const LabLessonStep *s = get_step (self, step);

  for (int i = 0; s != NULL && i < s->n_locked; i++)
    if (g_strcmp0 (s->locked[i], control) == 0)
      return TRUE;
  return FALSE;
}

const char *
lab_lesson_state_step_question (LabLessonState *self, guint step)
{
  const LabLessonStep *s = get_step (self, step);
  return s != NULL ? s->predict : NULL;
}

guint
lab_lesson_state_step_n_choices (LabLessonState *self, guint step)
{
  const LabLessonStep *s = get_step (self, step);
  return s != NULL && s->predict != NULL ? (guint) s->n_choices : 0;
}

const char *
lab_lesson_state_step_choice (LabLessonState *self, guint step, guint choice)
{
  const LabLessonStep *s = get_step (self, step);
  g_return_val_if_fail (s != NULL && choice < (guint) s->n_choices, NULL);
  return s->choices[choice];
}

int
lab_lesson_state_step_right_choice (LabLessonState *self, guint step)
{
  const LabLessonStep *s = get_step (self, step);
  return s != NULL && s->predict != NULL ? s->answer : -1;
}

int
lab_lesson_state_get_answer (LabLessonState *self, guint step)
{
  return get_step (self, step) != NULL ? self->answers[step] : -1;
}

void
lab_lesson_state_set_answer (LabLessonState *self, guint step, int choice)
{
  const LabLessonStep *s = get_step (self, step);

  g_return_if_fail (s != NULL && choice >= -1 && choice < s->n_choices);
  if (self->answers[step] == choice)
    return;
  self->answers[step] = choice;
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
lab_lesson_state_get_ran (LabLessonState *self, guint step)
{
  return get_step (self, step) != NULL && self->ran[step];
}

void
lab_lesson_state_set_ran (LabLessonState *self, guint step, gboolean ran)
{
  g_return_if_fail (get_step (self, step) != NULL);
  if (self->ran[step] == !!ran)
    return;
  self->ran[step] = !!ran;
  g_signal_emit (self, signals[CHANGED], 0);
}

static GStrv
strv_from (char *const *items, int n)
{
  GStrv v = g_new0 (char *, n + 1);

  for (int i = 0; i < n; i++)
    v[i] = g_strdup (items[i]);
  return v;
}

gboolean
lab_lesson_state_step_settings (LabLessonState *self, guint step, char **dataset, char **preset,
                                GStrv *option_names, GStrv *option_values, char **normal,
                                gboolean *fresh, GError **error)
{
  const LabLesson *lesson = self->lesson;
  LabStepSettings set;
  AeError err = { 0 };
  GPtrArray *names, *values;
  const char *preset_name = "undercomplete";
  int from = 0;

  g_return_val_if_fail (get_step (self, step) != NULL, FALSE);

  if (lab_lesson_settings (lesson, (int) step, &set, &err) != AE_OK)
    {
      _lab_set_error_from_ae (error, &err);
      return FALSE;
    }
  /* a preset resets every option: the ones in force are those set since the last preset */
  for (int i = (int) step; i >= 0; i--)
    if (lesson->steps[i].preset != NULL)
      {
        preset_name = lesson->steps[i].preset;
        from = i;
        break;
      }
  names = g_ptr_array_new ();
  values = g_ptr_array_new ();
  for (int i = from; i <= (int) step; i++)
    for (int k = 0; k < lesson->steps[i].n_options; k++)
      {
        g_ptr_array_add (names, g_strdup (lesson->steps[i].option_names[k]));
        g_ptr_array_add (values, g_strdup (lesson->steps[i].option_values[k]));
      }
  g_ptr_array_add (names, NULL);
  g_ptr_array_add (values, NULL);
  *option_names = (GStrv) g_ptr_array_free (names, FALSE);
  *option_values = (GStrv) g_ptr_array_free (values, FALSE);
  /* relative paths from the lesson's folder; built-in names as they are */
  {
    char *resolved = lab_lesson_resolve_dataset (lesson, set.dataset);
    *dataset = strchr (resolved, '/') != NULL ? g_canonicalize_filename (resolved, NULL)
                                              : g_strdup (resolved);
    free (resolved);
  }
  *preset = g_strdup (preset_name);
  *normal = g_strdup (set.normal != NULL ? set.normal : "");
  *fresh = set.fresh;
  return TRUE;
}

void
lab_lesson_state_step_own_options (LabLessonState *self, guint step, GStrv *option_names,
                                   GStrv *option_values)
{
  const LabLessonStep *s = get_step (self, step);

  g_return_if_fail (s != NULL);
  *option_names = strv_from (s->option_names, s->n_options);
  *option_values = strv_from (s->option_values, s->n_options);
}

guint
lab_lesson_state_step_n_checks (LabLessonState *self, guint step)
{
  const LabLessonStep *s = get_step (self, step);
  return s != NULL ? (guint) s->n_checks : 0;
}

static const LabCheck *
get_check (LabLessonState *self, guint step, guint check)
{
  const LabLessonStep *s = get_step (self, step);
  g_return_val_if_fail (s != NULL && check < (guint) s->n_checks, NULL);
  return &s->checks[check];
}

const char *
lab_lesson_state_check_text (LabLessonState *self, guint step, guint check)
{
  const LabCheck *c = get_check (self, step, check);
  return c != NULL ? c->text : NULL;
}

const char *
lab_lesson_state_check_label (LabLessonState *self, guint step, guint check)
{
  const LabCheck *c = get_check (self, step, check);
  int metric;

  if (c == NULL || !c->left.is_metric)
    return NULL;
  metric = lab_metric_find (c->left.metric);
  return metric >= 0 ? lab_metrics[metric].label : c->left.metric;
}

LabCheckState
lab_lesson_state_check_state (LabLessonState *self, guint step, guint check, double *left,
                              double *right)
{
  const LabCheck *c = get_check (self, step, check);
  double a = NAN, b = NAN;
  LabCheckState state = LAB_CHECK_NOT_MEASURED;

  if (c != NULL && self->measures[step] != NULL)
    {
      gboolean holds = lab_check_evaluate (c, self->measures[step], self->measures,
                                           LAB_LESSON_MAX_STEPS, &a, &b);
      /* NaN: a metric that does not apply, or an earlier step not run in this window */
      if (!isnan (a) && !isnan (b))
        state = holds ? LAB_CHECK_HOLDS : LAB_CHECK_FAILS;
    }
  if (left != NULL)
    *left = a;
  if (right != NULL)
    *right = b;
  return state;
}

/* --- measuring on a worker ------------------------------------------------------------------ */

typedef struct {
  const LabLesson *lesson; /* the state's, alive while the task holds the state */
  int step;
  LabWeights *weights;
  MeasureData *data;       /* the first training and test samples the metrics read */
  /* or, for a new model, what the worker copies them from: the session's dataset, lent,
   * and the indices of the samples in the split's order */
  AeDataset *source; /* a reference: the session may load other data meanwhile */
  uint32_t *idx;
  long n_train, n_test;
  gconstpointer data_source;
  guint data_generation;
  uint8_t *normal;
  double train_loss, val_loss;
  int epochs;
} MeasureJob;

static void
measure_job_free (gpointer data)
{
  MeasureJob *job = data;

  g_clear_pointer (&job->weights, lab_weights_unref);
  g_clear_pointer (&job->data, measure_data_unref);
  g_clear_pointer (&job->source, ae_dataset_free);
  g_free (job->idx);
  free (job->normal);
  g_free (job);
}

static void
measure_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  MeasureJob *job = task_data;
  AeModel *model = _lab_weights_clone_model (job->weights);
  LabMeasure *m;
  AeError err = { 0 };

  if (job->data == NULL)
    {
      MeasureData *copy = g_atomic_rc_box_new0 (MeasureData);

      if (ae_dataset_subset (&copy->data, job->source, job->idx,
                             job->n_train + job->n_test, &err) != AE_OK)
        {
          measure_data_unref (copy);
          ae_model_free (model);
          g_task_return_new_error (task, LAB_SESSION_ERROR, err.status, "%s", err.message);
          return;
        }
      ae_dataset_split_fixed (copy->data, job->n_test, 0.0);
      /* read back on the main thread once the task is done, to keep for the next measure */
      job->data = copy;
    }
  if (model == NULL || (m = lab_measure_new (model, job->data->data, job->normal)) == NULL)
    {
      ae_model_free (model);
      g_task_return_new_error (task, LAB_SESSION_ERROR, AE_ERR_NOMEM,
                               "out of memory for the step's measures");
      return;
    }
  lab_measure_record (m, "train_loss", job->train_loss);
  lab_measure_record (m, "val_loss", job->val_loss);
  lab_measure_record (m, "epochs", job->epochs);
  lab_lesson_measure_step (job->lesson, job->step, m);
  if (g_task_return_error_if_cancelled (task))
    {
      lab_measure_free (m);
      return;
    }
  g_task_return_pointer (task, m, (GDestroyNotify) lab_measure_free);
}

static void
measure_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LabLessonState *self = LAB_LESSON_STATE (source);
  MeasureJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  LabMeasure *m = g_task_propagate_pointer (G_TASK (result), &error);

  if (m == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("%s", error->message);
      return;
    }
  if (job->source != NULL)
    {
      g_clear_pointer (&self->data, measure_data_unref);
      self->data = g_atomic_rc_box_acquire (job->data);
      self->data_source = job->data_source;
      self->data_generation = job->data_generation;
    }
  lab_measure_free (self->measures[job->step]);
  self->measures[job->step] = m;
  if (self->measuring == g_task_get_cancellable (G_TASK (result)))
    g_clear_object (&self->measuring);
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
lab_lesson_state_measure (LabLessonState *self, guint step, LabSession *session,
                          LabSnapshot *snapshot)
{
  const AeDataset *ds;
  LabWeights *weights;
  MeasureJob *job;
  GTask *task;
  g_autofree char *normal = NULL;
  AeError err = { 0 };

  g_return_val_if_fail (get_step (self, step) != NULL, FALSE);
  g_return_val_if_fail (LAB_IS_SESSION (session) && snapshot != NULL, FALSE);

  /* the snapshot's own copy: the weights its epochs and losses belong to */
  weights = snapshot->weights != NULL ? snapshot->weights : lab_session_get_weights (session);
  ds = _lab_session_get_dataset (session);
  if (weights == NULL || ds == NULL || lab_session_get_loading (session))
    return FALSE;

  job = g_new0 (MeasureJob, 1);
  job->lesson = self->lesson;
  job->step = (int) step;
  job->weights = lab_weights_ref (weights);
  job->train_loss = lab_snapshot_last_value (snapshot, lab_snapshot_objective_term (snapshot), FALSE);
  job->val_loss = lab_snapshot_last_value (snapshot, lab_snapshot_objective_term (snapshot), TRUE);
  job->epochs = snapshot->epoch;
  normal = lab_session_dup_option (session, "normal");
  if (normal != NULL && normal[0] != '\0'
      && lab_lesson_normal_flags (self->lesson, (int) step, normal, ds->n_classes, &job->normal,
                                  &err) != AE_OK)
    job->normal = NULL;
  /* The session may replace its dataset while the worker runs: the worker measures on a
   * copy of the samples the metrics read (the first of training for PCA, the first of
   * test), in the split's order, so its values are the command line's on the same weights.
   * The split changes only with a new generation (new data, normal classes, reset); the
   * copy is made once per model, on the worker, from the dataset the session lends it
   * (hundreds of milliseconds of copying, not for the main thread). */
  if (self->data != NULL && self->data_source == ds
      && self->data_generation == lab_session_get_generation (session))
    job->data = g_atomic_rc_box_acquire (self->data);
  else
    {
      job->n_train = MIN (ds->n_train, LAB_MEASURE_MAX_TRAIN);
      job->n_test = MIN (ds->n_test, LAB_MEASURE_MAX_TEST);
      job->idx = g_new (uint32_t, job->n_train + job->n_test + 1);
      memcpy (job->idx, ae_dataset_train (ds), (size_t) job->n_train * sizeof *job->idx);
      memcpy (job->idx + job->n_train, ae_dataset_test (ds), (size_t) job->n_test * sizeof *job->idx);
      job->source = _lab_session_ref_dataset (session);
      job->data_source = ds;
      job->data_generation = lab_session_get_generation (session);
    }

  if (self->measuring != NULL)
    g_cancellable_cancel (self->measuring);
  g_clear_object (&self->measuring);
  self->measuring = g_cancellable_new ();
  task = g_task_new (self, self->measuring, measure_done, NULL);
  g_task_set_source_tag (task, lab_lesson_state_measure);
  g_task_set_task_data (task, job, measure_job_free);
  lab_background_run (task, measure_thread);
  g_object_unref (task);
  return TRUE;
}

gboolean
lab_lesson_state_get_measuring (LabLessonState *self)
{
  g_return_val_if_fail (LAB_IS_LESSON_STATE (self), FALSE);
  return self->measuring != NULL;
}

void
lab_lesson_state_clear_measure (LabLessonState *self, guint step)
{
  g_return_if_fail (get_step (self, step) != NULL);
  if (self->measuring != NULL)
    g_cancellable_cancel (self->measuring);
  g_clear_object (&self->measuring);
  g_clear_pointer (&self->measures[step], lab_measure_free);
  g_signal_emit (self, signals[CHANGED], 0);
}

LabSnapshot *
lab_lesson_state_get_snapshot (LabLessonState *self, guint step)
{
  return get_step (self, step) != NULL ? self->snapshots[step] : NULL;
}

void
lab_lesson_state_set_snapshot (LabLessonState *self, guint step, LabSnapshot *snapshot)
{
  g_return_if_fail (get_step (self, step) != NULL);
  if (snapshot != NULL)
    lab_snapshot_ref (snapshot);
  g_clear_pointer (&self->snapshots[step], lab_snapshot_unref);
  self->snapshots[step] = snapshot;
}

/* --- in session files ----------------------------------------------------------------------- */

/* One line: "STEP ANSWERS RAN SOURCE", answers and runs comma-separated per step, the source
 * last because a path may hold spaces. */
char *
lab_lesson_state_to_text (LabLessonState *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (LAB_IS_LESSON_STATE (self), NULL);
  g_string_append_printf (text, "%u ", self->step + 1);
  for (int i = 0; i < self->lesson->n_steps; i++)
    g_string_append_printf (text, "%s%d", i > 0 ? "," : "", self->answers[i]);
  g_string_append_c (text, ' ');
  for (int i = 0; i < self->lesson->n_steps; i++)
    g_string_append_printf (text, "%s%d", i > 0 ? "," : "", self->ran[i]);
  g_string_append_printf (text, " %s", self->source);
  return g_string_free (text, FALSE);
}

static gboolean
parse_list (const char *text, int *out, int n, int lo, const int *hi)
{
  g_auto(GStrv) items = g_strsplit (text, ",", -1);

  if ((int) g_strv_length (items) != n)
    return FALSE;
  for (int i = 0; i < n; i++)
    {
      gint64 v;

      if (!g_ascii_string_to_signed (items[i], 10, lo, hi[i], &v, NULL))
        return FALSE;
      out[i] = (int) v;
    }
  return TRUE;
}

LabLessonState *
lab_lesson_state_from_text (const char *text, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (text, " ", 4);
  g_autoptr(LabLessonState) self = NULL;
  int answers[LAB_LESSON_MAX_STEPS], ran[LAB_LESSON_MAX_STEPS];
  int max_answer[LAB_LESSON_MAX_STEPS], ones[LAB_LESSON_MAX_STEPS];
  gint64 step;
  int n;

  if (g_strv_length (parts) != 4)
    {
      g_set_error (error, LAB_SESSION_ERROR, AE_ERR_FORMAT,
                   "lesson = \"%s\": expected the step, the answers, the runs and the lesson", text);
      return NULL;
    }
  if ((self = lab_lesson_state_open (parts[3], error)) == NULL)
    return NULL;
  n = self->lesson->n_steps;
  for (int i = 0; i < n; i++)
    {
      max_answer[i] = self->lesson->steps[i].predict != NULL ? self->lesson->steps[i].n_choices - 1 : -1;
      ones[i] = 1;
    }
  if (!g_ascii_string_to_signed (parts[0], 10, 1, n, &step, NULL)
      || !parse_list (parts[1], answers, n, -1, max_answer)
      || !parse_list (parts[2], ran, n, 0, ones))
    {
      g_set_error (error, LAB_SESSION_ERROR, AE_ERR_FORMAT,
                   "lesson = \"%s\": the step, answers or runs do not fit %s's %d steps", text,
                   parts[3], n);
      return NULL;
    }
  self->step = (guint) step - 1;
  for (int i = 0; i < n; i++)
    {
      self->answers[i] = answers[i];
      self->ran[i] = ran[i];
    }
  return g_steal_pointer (&self);
}
