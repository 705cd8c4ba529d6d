/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-csv.c: CSV files of numbers, one sample per row.
 *
 * Cells are separated by commas; lines end in LF, CR LF or CR; a UTF-8 byte-order mark is
 * skipped; blank lines and lines starting with '#' are skipped. The first row is a header
 * when none of its cells is a number (a row of names and numbers is refused as ambiguous);
 * a header cell named "label" or "class" marks the label column, whose values are class
 * numbers or class names; an empty first name (pandas' index) marks a column of row numbers,
 * left out. numpy's commented header ("# x,y,label") marks a label column too. Every other
 * cell must be a finite number. */
#include "ae-io.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ae-io-private.h"

#define CSV_CELL_MAX 256

typedef struct {
  const char *start;
  size_t len;
  size_t column; /* 1-based character column, for messages */
} Cell;

/* Splits one line into trimmed cells (quotes around a cell are dropped). Returns the count,
 * or -1 when the line has more than max_cells. */
static long
split_line (const char *line, size_t len, Cell *cells, long max_cells)
{
  long n = 0;
  size_t pos = 0;
  for (;;)
    {
      size_t end = pos;
      while (end < len && line[end] != ',')
        end++;
      size_t a = pos, z = end;
      while (a < z && (line[a] == ' ' || line[a] == '\t'))
        a++;
      while (z > a && (line[z - 1] == ' ' || line[z - 1] == '\t'))
        z--;
      if (z - a >= 2 && line[a] == '"' && line[z - 1] == '"')
        a++, z--;
      if (n == max_cells)
        return -1;
      cells[n].start = line + a;
      cells[n].len = z - a;
      cells[n].column = a + 1;
      n++;
      if (end >= len)
        return n;
      pos = end + 1;
    }
}

/* 1 when the cell is a whole number (of any value, finite or not), with *value set. */
static int
parse_number (const Cell *c, double *value)
{
  char text[CSV_CELL_MAX];
  if (c->len == 0 || c->len >= sizeof text)
    return 0;
  memcpy (text, c->start, c->len);
  text[c->len] = '\0';
  char *end;
  *value = strtod (text, &end);
  return end == text + c->len;
}

static int
cell_is (const Cell *c, const char *word)
{
  return c->len == strlen (word) && strncasecmp (c->start, word, c->len) == 0;
}

typedef struct {
  float *values; /* (rows, features) */
  size_t rows, cap_rows;
  char **labels; /* (rows) label cells, when there is a label column */
} CsvRows;

static void
csv_rows_free (CsvRows *r)
{
  free (r->values);
  if (r->labels != NULL)
    for (size_t i = 0; i < r->rows; i++)
      free (r->labels[i]);
  free (r->labels);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Turns the label cells into class indices: numbers 0..k-1 are kept as they are, names are
 * numbered in sorted order. */
static AeStatus
assign_labels (AeDataset *ds, char **cells, const char *path, AeError *err)
{
  long n = ds->n;
  int numeric = 1;
  long max_label = 0;
  for (long i = 0; i < n && numeric; i++)
    {
      char *end;
      long v = strtol (cells[i], &end, 10);
      if (*end != '\0' || end == cells[i] || v < 0 || v >= 65536)
        numeric = 0;
      else if (v > max_label)
        max_label = v;
    }
  char **sorted = malloc ((size_t) n * sizeof *sorted);
  if (sorted == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory for labels", path);
  long n_classes = 0;
  if (!numeric)
    {
      memcpy (sorted, cells, (size_t) n * sizeof *sorted);
      qsort (sorted, (size_t) n, sizeof *sorted, compare_strings);
      for (long i = 0; i < n; i++)
        if (i == 0 || strcmp (sorted[i], sorted[n_classes - 1]) != 0)
          sorted[n_classes++] = sorted[i];
    }
  else
    n_classes = max_label + 1;
  if (n_classes > 65536)
    {
      free (sorted);
      return ae_error_set (err, AE_ERR_LIMIT, "%s: %ld distinct labels: at most 65536", path, n_classes);
    }
  ds->labels = malloc ((size_t) n * sizeof (int));
  ds->class_names = calloc ((size_t) n_classes, sizeof *ds->class_names);
  if (ds->labels == NULL || ds->class_names == NULL)
    {
      free (sorted);
      return ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory for labels", path);
    }
  ds->n_classes = (int) n_classes;
  for (long c = 0; c < n_classes; c++)
    {
      if (numeric)
        snprintf (ds->class_names[c], AE_CLASS_NAME_MAX, "%ld", c);
      else
        snprintf (ds->class_names[c], AE_CLASS_NAME_MAX, "%s", sorted[c]);
    }
  for (long i = 0; i < n; i++)
    {
      if (numeric)
        ds->labels[i] = (int) strtol (cells[i], NULL, 10);
      else
        {
          char **hit = bsearch (&cells[i], sorted, (size_t) n_classes, sizeof *sorted, compare_strings);
          ds->labels[i] = (int) (hit - sorted);
        }
    }
  free (sorted);
  return AE_OK;
}

AeStatus
ae_csv_load (AeDataset **out, const char *path, AeError *err)
{
  *out = NULL;
  uint8_t *buf;
  size_t len;
  AeStatus status = ae_file_read_all (path, AE_MAX_CSV_BYTES, &buf, &len, err);
  if (status != AE_OK)
    return status;

  const char *text = (const char *) buf;
  long max_cells = 1024, n_cells = -1, features = 0, label_col = -1, index_col = -1;
  const char *header = "no header"; /* for the line that says what was read */
  Cell *cells = malloc ((size_t) max_cells * sizeof *cells);
  CsvRows rows = { 0 };
  long line_no = 0, first_line = 0;
  const char *comment = NULL;
  size_t comment_len = 0;
  int seen_first = 0;
  if (cells == NULL)
    status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", path);
  /* A UTF-8 byte-order mark (as Excel writes) is no part of the first cell: kept, it made a
   * first row of numbers a "header" and hid a "label" column. */
  size_t start = len >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  for (size_t pos = start; pos < len && status == AE_OK;)
    {
      /* Lines end in LF, CR LF, or CR alone (old Mac files). */
      size_t line_len = 0;
      while (pos + line_len < len && text[pos + line_len] != '\n' && text[pos + line_len] != '\r')
        line_len++;
      const char *line = text + pos;
      pos += line_len;
      if (pos < len && text[pos++] == '\r' && pos < len && text[pos] == '\n')
        pos++;
      line_no++;
      size_t lead = 0;
      while (lead < line_len && isspace ((unsigned char) line[lead]))
        lead++;
      if (lead < line_len && line[lead] == '#' && !seen_first)
        {
          /* numpy's savetxt writes its header as a comment: kept in case it names a label
           * column for the rows below. */
          comment = line + lead + 1;
          comment_len = line_len - lead - 1;
          continue;
        }
      if (lead == line_len || line[lead] == '#')
        continue;
      if (memchr (line, '\0', line_len) != NULL)
        {
          status = ae_error_set (err, AE_ERR_FORMAT, "%s:%ld: a NUL byte: not a text file", path, line_no);
          break;
        }
      long count;
      while ((count = split_line (line, line_len, cells, max_cells)) < 0)
        {
          if (max_cells >= AE_MAX_FEATURES + 1)
            break;
          /* No further than the limit (a value column per feature and a label): growing
           * past it let rows of 4 million cells through to the allocation below. */
          max_cells = max_cells * 4 < AE_MAX_FEATURES + 1 ? max_cells * 4 : AE_MAX_FEATURES + 1;
          Cell *grown = realloc (cells, (size_t) max_cells * sizeof *cells);
          if (grown == NULL)
            break;
          cells = grown;
        }
      if (count < 0)
        {
          status = ae_error_set (err, AE_ERR_LIMIT, "%s:%ld: more than %ld cells in one row", path,
                                 line_no, AE_MAX_FEATURES);
          break;
        }

      if (!seen_first)
        {
          seen_first = 1;
          first_line = line_no;
          n_cells = count;
          double v;
          /* A header holds names only; a data row numbers (and empty or unreadable cells,
           * reported below). Taking any row with one odd cell for a header lost it in silence. */
          long numbers = 0, words = 0;
          for (long c = 0; c < count; c++)
            {
              if (parse_number (&cells[c], &v))
                numbers++;
              else if (cells[c].len > 0)
                words++;
            }
          if (numbers > 0 && words > 0)
            {
              status = ae_error_set (err, AE_ERR_FORMAT,
                                     "%s:%ld: the first row mixes names and numbers: is it a header or "
                                     "data? Give a header of names only (label column named 'label' or "
                                     "'class'), or only numbers in every row", path, line_no);
              break;
            }
          if (numbers == 0)
            {
              header = "a header row";
              for (long c = 0; c < count; c++)
                if (cell_is (&cells[c], "label") || cell_is (&cells[c], "class"))
                  {
                    if (label_col >= 0)
                      {
                        status = ae_error_set (err, AE_ERR_FORMAT, "%s:%ld:%zu: a second label column",
                                               path, line_no, cells[c].column);
                        break;
                      }
                    label_col = c;
                  }
              /* pandas' to_csv writes its row index first, under an empty name: row numbers,
               * not a feature (they skewed the scaling too). */
              if (count > 1 && label_col != 0 && (cells[0].len == 0 || cell_is (&cells[0], "Unnamed: 0")))
                index_col = 0;
              features = count - (label_col >= 0) - (index_col >= 0);
              if (status == AE_OK && features == 0)
                status = ae_error_set (err, AE_ERR_FORMAT, "%s:%ld: no column of values beside the label", path, line_no);
              if (status == AE_OK && label_col >= 0 && (rows.labels = malloc (sizeof (char *))) == NULL)
                status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", path);
              continue;
            }
          features = count;
          /* A commented header of as many names as the row has cells, one of them "label" or
           * "class": that column holds labels, not a feature. */
          Cell *names = comment != NULL ? malloc ((size_t) count * sizeof *names) : NULL;
          long n_names = names != NULL ? split_line (comment, comment_len, names, count) : -1;
          for (long c = 0; c < n_names && n_names == count; c++)
            if (parse_number (&names[c], &v))
              n_names = -1;
          for (long c = 0; c < n_names && n_names == count && label_col < 0; c++)
            if (cell_is (&names[c], "label") || cell_is (&names[c], "class"))
              label_col = c;
          free (names);
          if (n_names == count)
            header = "a '#' header (numpy savetxt)";
          if (label_col >= 0)
            {
              features = count - 1;
              if (features == 0 || (rows.labels = malloc (sizeof (char *))) == NULL)
                {
                  status = ae_error_set (err, features == 0 ? AE_ERR_FORMAT : AE_ERR_NOMEM,
                                         "%s:%ld: no column of values beside the label", path, line_no);
                  break;
                }
            }
        }
      if (count != n_cells)
        {
          status = ae_error_set (err, AE_ERR_FORMAT, "%s:%ld: %ld cells, but line %ld has %ld (ragged rows)",
                                 path, line_no, count, first_line, n_cells);
          break;
        }
      if (rows.rows == rows.cap_rows)
        {
          size_t cap = rows.cap_rows ? rows.cap_rows * 2 : 256;
          /* Each row still to come takes at least two bytes per cell, so never reserve
           * room for more rows than the rest of the file can hold: 256 rows of a million
           * columns was a 1 GB allocation for a 2 KB gzip file (found by fuzzing). */
          size_t rows_possible = rows.rows + (len - pos) / (2 * (size_t) n_cells) + 1;
          if (cap > rows_possible)
            cap = rows_possible;
          if (rows.rows * (size_t) features >= (size_t) AE_MAX_DATASET_FLOATS)
            {
              status = ae_error_set (err, AE_ERR_LIMIT, "%s:%ld: more than %ld values in all", path,
                                     line_no, AE_MAX_DATASET_FLOATS);
              break;
            }
          float *grown = realloc (rows.values, cap * (size_t) features * sizeof (float));
          char **grown_labels = grown && label_col >= 0 ? realloc (rows.labels, cap * sizeof (char *)) : NULL;
          if (grown != NULL)
            rows.values = grown;
          if (grown_labels != NULL)
            rows.labels = grown_labels;
          if (grown == NULL || (label_col >= 0 && grown_labels == NULL))
            {
              status = ae_error_set (err, AE_ERR_NOMEM, "%s:%ld: out of memory", path, line_no);
              break;
            }
          rows.cap_rows = cap;
        }
      float *dst = rows.values + rows.rows * (size_t) features;
      if (label_col >= 0)
        rows.labels[rows.rows] = NULL;
      for (long c = 0; c < count && status == AE_OK; c++)
        {
          if (c == index_col)
            continue;
          if (c == label_col)
            {
              if (cells[c].len == 0)
                status = ae_error_set (err, AE_ERR_FORMAT, "%s:%ld:%zu: empty label", path, line_no, cells[c].column);
              else if ((rows.labels[rows.rows] = strndup (cells[c].start, cells[c].len)) == NULL)
                status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", path);
              continue;
            }
          double v;
          if (!parse_number (&cells[c], &v))
            status = ae_error_set (err, AE_ERR_FORMAT, "%s:%ld:%zu: '%.*s' is not a number", path,
                                   line_no, cells[c].column, (int) (cells[c].len > 40 ? 40 : cells[c].len),
                                   cells[c].start);
          else if (!isfinite (v) || fabs (v) > 3.0e38)
            status = ae_error_set (err, AE_ERR_FORMAT, "%s:%ld:%zu: '%.*s' is not a finite number", path,
                                   line_no, cells[c].column, (int) cells[c].len, cells[c].start);
          else
            *dst++ = (float) v;
        }
      if (status != AE_OK)
        {
          if (label_col >= 0 && rows.labels[rows.rows] != NULL)
            rows.rows++; /* so that the label string is freed */
          break;
        }
      rows.rows++;
    }
  free (cells);
  free (buf);
  if (status == AE_OK && rows.rows == 0)
    status = ae_error_set (err, AE_ERR_FORMAT, "%s: no rows of numbers", path);

  AeDataset *ds = NULL;
  if (status == AE_OK)
    {
      status = ae_dataset_new (&ds, (long) rows.rows, 1, 1, (int) features, 0, err);
      if (status != AE_OK)
        ae_error_prefix (err, "%s", path);
    }
  if (status == AE_OK)
    {
      ds->kind = AE_DATA_VECTORS;
      size_t total = rows.rows * (size_t) features;
      float lo = rows.values[0], hi = rows.values[0];
      for (size_t i = 0; i < total; i++)
        {
          lo = fminf (lo, rows.values[i]);
          hi = fmaxf (hi, rows.values[i]);
        }
      /* One scale for the whole file, kept so that errors can be given in its units. */
      double range = (double) hi - (double) lo;
      for (size_t i = 0; i < total; i++)
        ds->x[i] = range > 0 ? (float) (((double) rows.values[i] - lo) / range) : 0.0f;
      ds->value_min = lo;
      ds->value_max = hi;
      if (label_col >= 0)
        status = assign_labels (ds, rows.labels, path, err);
    }
  csv_rows_free (&rows);
  if (status != AE_OK)
    {
      ae_dataset_free (ds);
      return status;
    }
  snprintf (ds->name, sizeof ds->name, "%s", ae_path_basename (path));
  snprintf (ds->source, sizeof ds->source, "%s", path);
  /* What was read, said in one line: a header taken for data, or a label column for a
   * feature, shows here before a run is wasted on it. */
  char label_text[64] = "no label column";
  if (label_col >= 0)
    snprintf (label_text, sizeof label_text, "labels from column %ld", label_col + 1);
  snprintf (ds->note, sizeof ds->note, "read %ld rows of %ld values; %s; %s%s", ds->n, features,
            header, label_text, index_col >= 0 ? "; column 1 (a row index) skipped" : "");
  *out = ds;
  return AE_OK;
}
