/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lab-lesson.c: reading lesson files (see lab-lesson.h). */
#include "lab-lesson.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ae-io.h"
#include "ae-model.h"
#include "lab-lesson-measure.h"

/* A lesson is a page of text; anything much larger is not one. */
#define LAB_LESSON_MAX_BYTES (1 << 20)

const char *const lab_lesson_view_names[] = {
  "training", "latent", "generate", "denoise", "anomaly", "inside", "pca", "sequence", NULL,
};

static const char *const lockable[] = { "dataset", "preset", "options", NULL };

static int
in_list (const char *const *list, const char *name)
{
  for (int i = 0; list[i] != NULL; i++)
    if (strcmp (list[i], name) == 0)
      return 1;
  return 0;
}

static char *
dup_range (const char *s, size_t n)
{
  char *d = malloc (n + 1);
  if (d != NULL)
    {
      memcpy (d, s, n);
      d[n] = '\0';
    }
  return d;
}

static char *
trim (char *s)
{
  char *end;
  while (isspace ((unsigned char) *s))
    s++;
  end = s + strlen (s);
  while (end > s && isspace ((unsigned char) end[-1]))
    *--end = '\0';
  return s;
}

/* --- the parser's state ------------------------------------------------------------------ */

typedef struct {
  const char *path;
  int line;
  AeError *err;
  LabLesson *lesson;
  LabLessonStep *step; /* the group being read, NULL in [lesson] */
  int in_lesson_group;
  int seen_lesson_group;
} Parser;

static AeStatus
fail (Parser *p, const char *fmt, const char *a, const char *b)
{
  char message[2 * AE_ERROR_MESSAGE_MAX];
  snprintf (message, sizeof message, fmt, a != NULL ? a : "", b != NULL ? b : "");
  return ae_error_set (p->err, AE_ERR_FORMAT, "%s:%d: %s", p->path, p->line, message);
}

/* Undoes the key-file escapes (\n \t \s \\, and \; within lists) in place. */
static void
unescape (char *s)
{
  char *w = s;
  for (const char *r = s; *r != '\0'; r++)
    {
      if (*r == '\\' && r[1] != '\0')
        {
          r++;
          *w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : *r == 's' ? ' ' : *r;
        }
      else
        *w++ = *r;
    }
  *w = '\0';
}

/* Frees the n items a failed split_list made; returns its failure. */
static int
free_items (char **items, int n)
{
  for (int i = 0; i < n; i++)
    free (items[i]);
  return -1;
}

/* Splits a list value at unescaped ';' (a trailing ';' ends the list, as in GKeyFile);
 * the items are trimmed and unescaped, empty ones refused. Returns the count, or -1 with
 * nothing left to free. */
static int
split_list (Parser *p, const char *key, const char *value, char **items, int max)
{
  int n = 0;
  const char *start = value;
  for (const char *r = value;; r++)
    {
      if (*r == '\\' && r[1] != '\0')
        {
          r++;
          continue;
        }
      if (*r != ';' && *r != '\0')
        continue;
      char *item = dup_range (start, (size_t) (r - start));
      if (item == NULL)
        {
          ae_error_set (p->err, AE_ERR_NOMEM, "%s:%d: out of memory", p->path, p->line);
          return free_items (items, n);
        }
      char *t = trim (item);
      if (*t == '\0' && *r == '\0' && n > 0)
        {
          free (item);
          break;
        }
      if (*t == '\0')
        {
          free (item);
          fail (p, "%s: an empty item in the list", key, NULL);
          return free_items (items, n);
        }
      if (n == max)
        {
          free (item);
          char limit[16];
          snprintf (limit, sizeof limit, "%d", max);
          fail (p, "%s: more than %s items", key, limit);
          return free_items (items, n);
        }
      memmove (item, t, strlen (t) + 1);
      unescape (item);
      items[n++] = item;
      if (*r == '\0')
        break;
      start = r + 1;
    }
  return n;
}

static int
parse_int (const char *s, long min, long max, long *out)
{
  char *end;
  errno = 0;
  long v = strtol (s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
    return 0;
  *out = v;
  return 1;
}

/* --- checks ------------------------------------------------------------------------------- */

static int
parse_operand (Parser *p, const char *check, char *token, int step_number, LabOperand *o)
{
  char *end;
  memset (o, 0, sizeof *o);
  double v = strtod (token, &end);
  if (end != token && *end == '\0')
    {
      if (!isfinite (v))
        return fail (p, "check '%s': '%s' is not a finite number", check, token), 0;
      o->number = v;
      return 1;
    }
  const char *name = token;
  if (strncmp (token, "step", 4) == 0 && strchr (token, '.') != NULL)
    {
      char *dot = strchr (token, '.');
      long n;
      *dot = '\0';
      if (!parse_int (token + 4, 1, LAB_LESSON_MAX_STEPS, &n))
        return fail (p, "check '%s': '%s' is not a step (step1, step2, ...)", check, token), 0;
      if (n >= step_number)
        return fail (p, "check '%s': %s is not an earlier step", check, token), 0;
      o->step = (int) n;
      name = dot + 1;
    }
  if (lab_metric_find (name) < 0)
    return fail (p, "check '%s': unknown metric '%s' (see the README's list)", check, name), 0;
  o->is_metric = 1;
  snprintf (o->metric, sizeof o->metric, "%s", name);
  return 1;
}

static int
parse_check (Parser *p, const char *text, int step_number, LabCheck *c)
{
  static const struct {
    const char *text;
    LabCheckOp op;
  } ops[] = { { "<=", LAB_CHECK_LE }, { ">=", LAB_CHECK_GE }, { "<", LAB_CHECK_LT },
              { ">", LAB_CHECK_GT } };
  char *tokens[6];
  int n = 0;
  char *copy = strdup (text), *save = NULL;
  int ok = 0;

  memset (c, 0, sizeof *c);
  if (copy == NULL)
    return 0;
  for (char *t = strtok_r (copy, " \t", &save); t != NULL; t = strtok_r (NULL, " \t", &save))
    {
      if (n == 6)
        {
          n = 7;
          break;
        }
      tokens[n++] = t;
    }
  if (n != 3 && n != 5)
    {
      fail (p, "check '%s': write it as 'metric op value' (op one of < <= > >=; value a number, "
               "a metric, or two joined by + - *), with spaces between%s", text, "");
      goto out;
    }
  int found = 0;
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (strcmp (tokens[1], ops[i].text) == 0)
      {
        c->op = ops[i].op;
        found = 1;
      }
  if (!found)
    {
      fail (p, "check '%s': '%s' is not one of < <= > >=", text, tokens[1]);
      goto out;
    }
  if (!parse_operand (p, text, tokens[0], step_number, &c->left)
      || !parse_operand (p, text, tokens[2], step_number, &c->right[0]))
    goto out;
  if (!c->left.is_metric)
    {
      fail (p, "check '%s': the left side must be a metric%s", text, "");
      goto out;
    }
  if (n == 5)
    {
      if (strlen (tokens[3]) != 1 || strchr ("+-*", tokens[3][0]) == NULL)
        {
          fail (p, "check '%s': '%s' is not one of + - *", text, tokens[3]);
          goto out;
        }
      c->join = tokens[3][0];
      if (!parse_operand (p, text, tokens[4], step_number, &c->right[1]))
        goto out;
    }
  c->text = strdup (text);
  ok = c->text != NULL;
out:
  free (copy);
  return ok;
}

/* --- keys --------------------------------------------------------------------------------- */

static AeStatus
set_text (Parser *p, char **field, const char *key, const char *value)
{
  if (*field != NULL)
    return fail (p, "'%s' is given twice in this group%s", key, "");
  if (*value == '\0')
    return fail (p, "'%s' is empty%s", key, "");
  *field = strdup (value);
  if (*field == NULL)
    return ae_error_set (p->err, AE_ERR_NOMEM, "%s:%d: out of memory", p->path, p->line);
  unescape (*field);
  return AE_OK;
}

static AeStatus
lesson_key (Parser *p, const char *key, const char *value)
{
  LabLesson *l = p->lesson;
  if (strcmp (key, "title") == 0)
    return set_text (p, &l->title, key, value);
  if (strcmp (key, "summary") == 0)
    return set_text (p, &l->summary, key, value);
  if (strcmp (key, "minutes") == 0)
    {
      long m;
      if (!parse_int (value, 1, 600, &m))
        return fail (p, "minutes '%s': expected a whole number from 1 to 600%s", value, "");
      l->minutes = (int) m;
      return AE_OK;
    }
  return fail (p, "unknown key '%s' in [lesson] (title, summary, minutes)%s", key, "");
}

/* options: "name=value" pairs separated by spaces, each tried on a scratch configuration
 * so that an unknown option or a bad value is refused now. */
static AeStatus
step_options (Parser *p, LabLessonStep *s, const char *value)
{
  char *copy = strdup (value), *save = NULL;
  AeStatus status = AE_OK;
  if (copy == NULL)
    return ae_error_set (p->err, AE_ERR_NOMEM, "%s:%d: out of memory", p->path, p->line);
  for (char *t = strtok_r (copy, " \t", &save); t != NULL && status == AE_OK;
       t = strtok_r (NULL, " \t", &save))
    {
      char *eq = strchr (t, '=');
      AeConfig scratch;
      AeError option_err = { 0 };
      if (eq == NULL || eq == t || eq[1] == '\0')
        status = fail (p, "options: '%s' is not name=value%s", t, "");
      else if (s->n_options == LAB_LESSON_MAX_OPTIONS)
        status = fail (p, "options: more than 16 options%s%s", "", "");
      else
        {
          *eq = '\0';
          ae_config_preset (&scratch, s->preset != NULL ? s->preset : "undercomplete", NULL);
          if (strcmp (t, "preset") == 0 || strcmp (t, "data") == 0)
            status = fail (p, "options: '%s' is a key of its own in a step, not an option%s", t, "");
          else if (ae_config_set (&scratch, t, eq + 1, &option_err) != AE_OK)
            status = fail (p, "options: %s%s", option_err.message, "");
          else
            {
              s->option_names[s->n_options] = strdup (t);
              s->option_values[s->n_options] = strdup (eq + 1);
              s->n_options++;
            }
        }
    }
  free (copy);
  return status;
}

static AeStatus
step_list (Parser *p, const char *key, const char *value, char **items, int *n, int max,
           const char *const *allowed)
{
  if (*n > 0)
    return fail (p, "'%s' is given twice in this group%s", key, "");
  int count = split_list (p, key, value, items, max);
  if (count < 0)
    return p->err != NULL ? p->err->status : AE_ERR_FORMAT;
  *n = count;
  for (int i = 0; allowed != NULL && i < count; i++)
    if (!in_list (allowed, items[i]))
      return fail (p, "%s: unknown name '%s'", key, items[i]);
  return AE_OK;
}

static AeStatus
step_key (Parser *p, const char *key, const char *value)
{
  LabLessonStep *s = p->step;
  if (strcmp (key, "title") == 0)
    return set_text (p, &s->title, key, value);
  if (strcmp (key, "text") == 0)
    return set_text (p, &s->text, key, value);
  if (strcmp (key, "notes") == 0)
    return set_text (p, &s->notes, key, value);
  if (strcmp (key, "dataset") == 0)
    return set_text (p, &s->dataset, key, value);
  if (strcmp (key, "predict") == 0)
    return set_text (p, &s->predict, key, value);
  if (strcmp (key, "preset") == 0)
    {
      AeConfig scratch;
      if (s->n_options > 0)
        return fail (p, "preset: give it before the options, which apply on top of it%s%s", "", "");
      if (ae_config_preset (&scratch, value, NULL) != AE_OK)
        return fail (p, "unknown preset '%s' (undercomplete, sparse, contractive, denoising, vae, "
                        "linear, conv, sequence)%s", value, "");
      return set_text (p, &s->preset, key, value);
    }
  if (strcmp (key, "normal") == 0)
    {
      for (const char *c = value; *c != '\0'; c++)
        if (!isdigit ((unsigned char) *c) && *c != ',')
          if (strcmp (value, "all") != 0)
            return fail (p, "normal '%s': expected class numbers separated by commas, or all%s",
                         value, "");
      return set_text (p, &s->normal, key, value);
    }
  if (strcmp (key, "options") == 0)
    return step_options (p, s, value);
  if (strcmp (key, "views") == 0)
    return step_list (p, key, value, s->views, &s->n_views, LAB_LESSON_MAX_VIEWS,
                      lab_lesson_view_names);
  if (strcmp (key, "locked") == 0)
    return step_list (p, key, value, s->locked, &s->n_locked, LAB_LESSON_MAX_VIEWS, lockable);
  if (strcmp (key, "choices") == 0)
    return step_list (p, key, value, s->choices, &s->n_choices, LAB_LESSON_MAX_CHOICES, NULL);
  if (strcmp (key, "answer") == 0)
    {
      long a;
      if (!parse_int (value, 1, LAB_LESSON_MAX_CHOICES, &a))
        return fail (p, "answer '%s': expected the number of a choice, from 1%s", value, "");
      s->answer = (int) a - 1;
      return AE_OK;
    }
  if (strcmp (key, "action") == 0)
    {
      long n;
      if (strncmp (value, "run-epochs=", 11) != 0 || !parse_int (value + 11, 1, 1000, &n))
        return fail (p, "action '%s': expected run-epochs=N with N from 1 to 1000%s", value, "");
      s->run_epochs = (int) n;
      return AE_OK;
    }
  if (strcmp (key, "checks") == 0)
    {
      char *items[LAB_LESSON_MAX_CHECKS];
      if (s->n_checks > 0)
        return fail (p, "'checks' is given twice in this group%s%s", "", "");
      int n = split_list (p, key, value, items, LAB_LESSON_MAX_CHECKS);
      if (n < 0)
        return p->err != NULL ? p->err->status : AE_ERR_FORMAT;
      int ok = 1;
      for (int i = 0; i < n; i++)
        {
          if (ok && parse_check (p, items[i], s->number, &s->checks[i]))
            s->n_checks = i + 1;
          else
            ok = 0;
          free (items[i]);
        }
      return ok ? AE_OK : AE_ERR_FORMAT;
    }
  return fail (p, "unknown key '%s' in a step (title, text, notes, dataset, preset, options, "
                  "normal, views, locked, action, predict, choices, answer, checks)%s", key, "");
}

static AeStatus
group_header (Parser *p, const char *name)
{
  long n;
  p->step = NULL;
  p->in_lesson_group = 0;
  if (strcmp (name, "lesson") == 0)
    {
      if (p->seen_lesson_group)
        return fail (p, "a second [lesson] group%s%s", "", "");
      p->in_lesson_group = p->seen_lesson_group = 1;
      return AE_OK;
    }
  if (strncmp (name, "step ", 5) != 0 || !parse_int (name + 5, 1, LAB_LESSON_MAX_STEPS, &n))
    return fail (p, "unknown group [%s]: expected [lesson] or [step N], N from 1 to 24%s", name, "");
  if (n != p->lesson->n_steps + 1)
    {
      char expected[16];
      snprintf (expected, sizeof expected, "%d", p->lesson->n_steps + 1);
      return fail (p, "[%s]: steps are numbered 1, 2, 3 ... in order; expected [step %s]", name,
                   expected);
    }
  p->step = &p->lesson->steps[p->lesson->n_steps++];
  p->step->number = (int) n;
  p->step->line = p->line;
  p->step->answer = -1;
  return AE_OK;
}

/* What a step must have, checked at the end of its group. */
static AeStatus
finish_step (Parser *p, const LabLessonStep *s)
{
  int line = p->line;
  AeStatus status = AE_OK;
  p->line = s->line;
  if (s->title == NULL || s->text == NULL)
    status = fail (p, "[step %s] needs a title and a text%s", "", "");
  else if ((s->predict != NULL) != (s->n_choices > 0) || (s->n_choices > 0 && s->answer < 0))
    status = fail (p, "a prediction needs all of predict, choices and answer%s%s", "", "");
  else if (s->n_choices == 1)
    status = fail (p, "a prediction needs at least two choices%s%s", "", "");
  else if (s->answer >= 0 && s->answer >= s->n_choices)
    status = fail (p, "answer: there are only %s choices%s", s->n_choices == 2 ? "2" : "a few", "");
  else if (s->predict != NULL && s->run_epochs == 0)
    status = fail (p, "a prediction is revealed by a run: the step needs action = run-epochs=N%s%s",
                   "", "");
  if (status == AE_OK)
    for (int i = 0; i < s->n_checks; i++)
      {
        const LabOperand *ops[3] = { &s->checks[i].left, &s->checks[i].right[0],
                                     s->checks[i].join ? &s->checks[i].right[1] : NULL };
        for (int k = 0; k < 3 && status == AE_OK; k++)
          if (ops[k] != NULL && ops[k]->is_metric && ops[k]->step > 0 && ops[k]->step >= s->number)
            status = fail (p, "check '%s': refers to a later step%s", s->checks[i].text, "");
      }
  p->line = line;
  return status;
}

static const char *
base_name (const char *path)
{
  const char *slash = strrchr (path, '/');
  return slash != NULL ? slash + 1 : path;
}

AeStatus
lab_lesson_parse (LabLesson **out, const char *text, size_t len, const char *path, AeError *err)
{
  LabLesson *lesson = calloc (1, sizeof *lesson);
  Parser p = { .path = path, .err = err, .lesson = lesson };
  AeStatus status = AE_OK;
  const char *cursor = text, *end = text + len;

  *out = NULL;
  if (lesson == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", path);
  lesson->path = strdup (path);
  const char *base = base_name (path);
  const char *dot = strrchr (base, '.');
  lesson->name = dup_range (base, dot != NULL && strcmp (dot, ".lesson") == 0 ? (size_t) (dot - base)
                                                                              : strlen (base));
  if (memchr (text, '\0', len) != NULL)
    status = ae_error_set (err, AE_ERR_FORMAT, "%s: not a text file (it holds a NUL byte)", path);
  while (status == AE_OK && cursor < end)
    {
      const char *nl = memchr (cursor, '\n', (size_t) (end - cursor));
      size_t n = nl != NULL ? (size_t) (nl - cursor) : (size_t) (end - cursor);
      char *raw = dup_range (cursor, n);
      p.line++;
      cursor += n + 1;
      if (raw == NULL)
        {
          status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", path);
          break;
        }
      char *line = trim (raw);
      if (*line == '\0' || *line == '#')
        ;
      else if (*line == '[')
        {
          char *close = strchr (line, ']');
          if (close == NULL || close[1] != '\0')
            status = fail (&p, "a group header must be [name] alone on its line%s%s", "", "");
          else
            {
              if (p.step != NULL)
                status = finish_step (&p, p.step);
              *close = '\0';
              if (status == AE_OK)
                status = group_header (&p, line + 1);
            }
        }
      else
        {
          char *eq = strchr (line, '=');
          if (eq == NULL)
            status = fail (&p, "expected key = value, a [group] or a # comment%s%s", "", "");
          else if (!p.in_lesson_group && p.step == NULL)
            status = fail (&p, "a key before the first group; the file starts with [lesson]%s%s", "",
                           "");
          else
            {
              *eq = '\0';
              char *key = trim (line), *value = trim (eq + 1);
              /* translations (key[fr]) belong to other readers: skip them */
              if (strchr (key, '[') != NULL)
                ;
              else if (p.in_lesson_group)
                status = lesson_key (&p, key, value);
              else
                status = step_key (&p, key, value);
            }
        }
      free (raw);
    }
  if (status == AE_OK && p.step != NULL)
    status = finish_step (&p, p.step);
  if (status == AE_OK && (!p.seen_lesson_group || lesson->title == NULL))
    status = ae_error_set (err, AE_ERR_FORMAT, "%s: no [lesson] group with a title", path);
  if (status == AE_OK && lesson->n_steps == 0)
    status = ae_error_set (err, AE_ERR_FORMAT, "%s: no [step 1] group: a lesson needs steps", path);
  if (status == AE_OK && lesson->steps[0].dataset == NULL && lesson->steps[0].preset == NULL)
    status = ae_error_set (err, AE_ERR_FORMAT,
                           "%s:%d: the first step must set a dataset or a preset to start from",
                           path, lesson->steps[0].line);
  if (status != AE_OK)
    {
      lab_lesson_free (lesson);
      return status;
    }
  *out = lesson;
  return AE_OK;
}

/* --- bundled lessons ----------------------------------------------------------------------- */

/* Embedded at build time (lab-lesson-bundled.S), NUL-terminated, in teaching order. */
extern const char lab_lesson_text_pca[], lab_lesson_text_sparse[], lab_lesson_text_contractive[],
  lab_lesson_text_denoising[], lab_lesson_text_variational[], lab_lesson_text_anomaly[];

static const struct {
  const char *name;
  const char *text;
} bundled[] = {
  { "pca", lab_lesson_text_pca },
  { "sparse", lab_lesson_text_sparse },
  { "contractive", lab_lesson_text_contractive },
  { "denoising", lab_lesson_text_denoising },
  { "variational", lab_lesson_text_variational },
  { "anomaly", lab_lesson_text_anomaly },
};

int
lab_lesson_bundled_count (void)
{
  return (int) (sizeof bundled / sizeof bundled[0]);
}

const char *
lab_lesson_bundled_name (int i)
{
  return i >= 0 && i < lab_lesson_bundled_count () ? bundled[i].name : NULL;
}

const char *
lab_lesson_bundled_text (int i)
{
  return i >= 0 && i < lab_lesson_bundled_count () ? bundled[i].text : NULL;
}

AeStatus
lab_lesson_open (LabLesson **out, const char *arg, AeError *err)
{
  size_t n = strlen (arg);
  *out = NULL;
  if (strchr (arg, '/') == NULL && !(n > 7 && strcmp (arg + n - 7, ".lesson") == 0))
    {
      for (int i = 0; i < lab_lesson_bundled_count (); i++)
        if (strcmp (bundled[i].name, arg) == 0)
          {
            char path[96];
            snprintf (path, sizeof path, "%s.lesson", bundled[i].name);
            return lab_lesson_parse (out, bundled[i].text, strlen (bundled[i].text), path, err);
          }
      return ae_error_set (err, AE_ERR_INVALID,
                           "no bundled lesson named '%s' (see `latentlab lesson --list`; a file "
                           "path contains '/' or ends in .lesson)", arg);
    }
  uint8_t *data = NULL;
  size_t len = 0;
  AeStatus status = ae_file_read_all (arg, LAB_LESSON_MAX_BYTES, &data, &len, err);
  if (status != AE_OK)
    return status;
  status = lab_lesson_parse (out, (const char *) data, len, arg, err);
  free (data);
  return status;
}

static void
free_step (LabLessonStep *s)
{
  free (s->title);
  free (s->text);
  free (s->notes);
  free (s->dataset);
  free (s->preset);
  free (s->normal);
  free (s->predict);
  for (int i = 0; i < s->n_options; i++)
    {
      free (s->option_names[i]);
      free (s->option_values[i]);
    }
  for (int i = 0; i < s->n_views; i++)
    free (s->views[i]);
  for (int i = 0; i < s->n_locked; i++)
    free (s->locked[i]);
  for (int i = 0; i < s->n_choices; i++)
    free (s->choices[i]);
  for (int i = 0; i < s->n_checks; i++)
    free (s->checks[i].text);
}

void
lab_lesson_free (LabLesson *lesson)
{
  if (lesson == NULL)
    return;
  for (int i = 0; i < lesson->n_steps; i++)
    free_step (&lesson->steps[i]);
  free (lesson->path);
  free (lesson->name);
  free (lesson->title);
  free (lesson->summary);
  free (lesson);
}

int
lab_check_holds (LabCheckOp op, double left, double right)
{
  if (!isfinite (left) || !isfinite (right))
    return 0;
  switch (op)
    {
    case LAB_CHECK_LT:
      return left < right;
    case LAB_CHECK_LE:
      return left <= right;
    case LAB_CHECK_GT:
      return left > right;
    case LAB_CHECK_GE:
      return left >= right;
    }
  return 0;
}

const char *
lab_check_op_text (LabCheckOp op)
{
  static const char *const text[] = { "<", "\xe2\x89\xa4", ">", "\xe2\x89\xa5" };
  return text[op];
}
