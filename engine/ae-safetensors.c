/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-safetensors.c: export to the safetensors format, and a strict reader for it.
 *
 * Layout: u64 little-endian N, N bytes of JSON header (padded with spaces to a multiple of
 * 8), then the tensor data. The header maps each tensor name to {"dtype", "shape",
 * "data_offsets": [begin, end]} (offsets relative to the data), and "__metadata__" to an
 * object of strings; ours holds the configuration text under "config" and the layers as
 * PyTorch builds them under "architecture" (see ae-export.c). */
#include "ae-io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ae-io-private.h"

#define HEADER_MAX ((uint64_t) 100 << 20) /* as the reference implementation allows */
#define TENSORS_MAX 4096
#define JSON_DEPTH_MAX 32

static void
put_str (AeBytes *b, const char *s)
{
  ae_bytes_put (b, s, strlen (s));
}

/* A JSON string literal: quotes, backslashes and control characters escaped. */
static void
put_json_string (AeBytes *b, const char *s)
{
  put_str (b, "\"");
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      char esc[8];
      if (*p == '"' || *p == '\\')
        {
          esc[0] = '\\';
          esc[1] = (char) *p;
          ae_bytes_put (b, esc, 2);
        }
      else if (*p == '\n')
        put_str (b, "\\n");
      else if (*p == '\t')
        put_str (b, "\\t");
      else if (*p < 0x20)
        {
          snprintf (esc, sizeof esc, "\\u%04x", *p);
          put_str (b, esc);
        }
      else
        ae_bytes_put (b, p, 1);
    }
  put_str (b, "\"");
}

AeStatus
ae_safetensors_write (const char *path, const char *const *metadata, const AeTensor *tensors,
                      int n_tensors, AeError *err)
{
  if (n_tensors < 0 || n_tensors > TENSORS_MAX)
    return ae_error_set (err, AE_ERR_LIMIT, "%s: %d tensors, expected 0 to %d", path, n_tensors, TENSORS_MAX);
  AeBytes header = { 0 };
  put_str (&header, "{\"__metadata__\":{\"format\":\"pt\"");
  for (int i = 0; metadata != NULL && metadata[i] != NULL && metadata[i + 1] != NULL; i += 2)
    {
      put_str (&header, ",");
      put_json_string (&header, metadata[i]);
      put_str (&header, ":");
      put_json_string (&header, metadata[i + 1]);
    }
  put_str (&header, "}");
  uint64_t offset = 0;
  for (int i = 0; i < n_tensors; i++)
    {
      const AeTensor *t = &tensors[i];
      size_t name_len = strnlen (t->name, AE_TENSOR_NAME_MAX);
      int bad = name_len == 0 || name_len == AE_TENSOR_NAME_MAX || t->rank < 1 || t->rank > AE_TENSOR_RANK_MAX;
      for (int d = 0; d < t->rank && !bad; d++)
        bad = t->shape[d] <= 0;
      for (int j = 0; j < i && !bad; j++)
        bad = strcmp (tensors[j].name, t->name) == 0;
      if (bad)
        {
          free (header.data);
          return ae_error_set (err, AE_ERR_INVALID,
                               "%s: tensor %d ('%.*s'): needs a unique name of 1 to %d bytes, rank 1 to %d and positive sizes",
                               path, i, AE_TENSOR_NAME_MAX - 1, t->name, AE_TENSOR_NAME_MAX - 1, AE_TENSOR_RANK_MAX);
        }
      uint64_t bytes = (uint64_t) ae_tensor_numel (t) * 4;
      char text[160];
      put_str (&header, ",");
      put_json_string (&header, t->name);
      put_str (&header, ":{\"dtype\":\"F32\",\"shape\":[");
      for (int d = 0; d < t->rank; d++)
        {
          snprintf (text, sizeof text, "%s%d", d ? "," : "", t->shape[d]);
          put_str (&header, text);
        }
      snprintf (text, sizeof text, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long) offset,
                (unsigned long long) (offset + bytes));
      put_str (&header, text);
      offset += bytes;
    }
  put_str (&header, "}");
  /* The data starts 8-byte aligned, as the format recommends. */
  while (header.len % 8 != 0)
    put_str (&header, " ");

  AeBytes file = { 0 };
  ae_bytes_u64le (&file, header.len);
  ae_bytes_put (&file, header.data, header.len);
  for (int i = 0; i < n_tensors; i++)
    ae_bytes_f32le (&file, tensors[i].data, ae_tensor_numel (&tensors[i]));
  AeStatus status;
  if (header.failed || file.failed)
    status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory while encoding", path);
  else
    status = ae_file_write_atomic (path, file.data, file.len, err);
  free (header.data);
  free (file.data);
  return status;
}

/* ---- reading: a small strict JSON reader for the header ---- */

typedef struct {
  const char *s;
  size_t len, pos;
  const char *name;
  AeError *err;
  int failed;
} Json;

static void
json_fail (Json *j, const char *what)
{
  if (!j->failed)
    ae_error_set (j->err, AE_ERR_FORMAT, "%s: bad safetensors header at byte %zu of the JSON: %s",
                  j->name, j->pos, what);
  j->failed = 1;
}

static void
skip_ws (Json *j)
{
  while (j->pos < j->len && (j->s[j->pos] == ' ' || j->s[j->pos] == '\n' || j->s[j->pos] == '\r' || j->s[j->pos] == '\t'))
    j->pos++;
}

static int
accept (Json *j, char c)
{
  skip_ws (j);
  if (j->pos < j->len && j->s[j->pos] == c)
    {
      j->pos++;
      return 1;
    }
  return 0;
}

static void
expect (Json *j, char c)
{
  if (!j->failed && !accept (j, c))
    {
      char what[32];
      snprintf (what, sizeof what, "expected '%c'", c);
      json_fail (j, what);
    }
}

/* Reads a string into out (cap bytes with the NUL); too long a string is an error. */
static void
json_string (Json *j, char *out, size_t cap)
{
  size_t n = 0;
  if (j->failed)
    return;
  if (!accept (j, '"'))
    {
      json_fail (j, "expected a string");
      return;
    }
  while (j->pos < j->len && j->s[j->pos] != '"')
    {
      unsigned char c = (unsigned char) j->s[j->pos++];
      if (c < 0x20)
        {
          json_fail (j, "control character in a string");
          return;
        }
      if (c == '\\')
        {
          if (j->pos >= j->len)
            break;
          char e = j->s[j->pos++];
          switch (e)
            {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case '"': case '\\': case '/': c = (unsigned char) e; break;
            case 'u':
              {
                unsigned v = 0;
                for (int k = 0; k < 4; k++)
                  {
                    char h = j->pos < j->len ? j->s[j->pos++] : 0;
                    int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                            : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                    if (d < 0)
                      {
                        json_fail (j, "bad \\u escape");
                        return;
                      }
                    v = v * 16 + (unsigned) d;
                  }
                /* Names and our metadata are ASCII; other characters are kept as '?'. */
                c = v > 0 && v < 0x80 ? (unsigned char) v : '?';
                break;
              }
            default:
              json_fail (j, "bad escape in a string");
              return;
            }
        }
      if (out != NULL)
        {
          if (n + 1 >= cap)
            {
              json_fail (j, "string too long");
              return;
            }
          out[n++] = (char) c;
        }
    }
  if (j->pos >= j->len)
    {
      json_fail (j, "unterminated string");
      return;
    }
  j->pos++;
  if (out != NULL)
    out[n] = '\0';
}

static uint64_t
json_uint (Json *j)
{
  skip_ws (j);
  uint64_t v = 0;
  size_t start = j->pos;
  while (j->pos < j->len && j->s[j->pos] >= '0' && j->s[j->pos] <= '9')
    {
      if (v > (UINT64_MAX - 9) / 10)
        {
          json_fail (j, "number too large");
          return 0;
        }
      v = v * 10 + (uint64_t) (j->s[j->pos++] - '0');
    }
  if (j->pos == start)
    json_fail (j, "expected a non-negative integer");
  return v;
}

/* Skips any JSON value (for metadata and unknown keys), depth-limited. */
static void
json_skip (Json *j, int depth)
{
  skip_ws (j);
  if (j->failed || j->pos >= j->len)
    {
      json_fail (j, "expected a value");
      return;
    }
  if (depth > JSON_DEPTH_MAX)
    {
      json_fail (j, "nested too deeply");
      return;
    }
  char c = j->s[j->pos];
  if (c == '"')
    json_string (j, NULL, 0);
  else if (c == '{' || c == '[')
    {
      char close = c == '{' ? '}' : ']';
      j->pos++;
      if (accept (j, close))
        return;
      do
        {
          if (c == '{')
            {
              json_string (j, NULL, 0);
              expect (j, ':');
            }
          json_skip (j, depth + 1);
        }
      while (!j->failed && accept (j, ','));
      expect (j, close);
    }
  else
    {
      /* A number, true, false or null. */
      size_t start = j->pos;
      while (j->pos < j->len && strchr ("0123456789+-.eEtruefalsn", j->s[j->pos]) != NULL)
        j->pos++;
      if (j->pos == start)
        json_fail (j, "unexpected character");
    }
}

/* Reads the metadata object, keeping the string under meta_key (when asked) in *meta_value. */
static void
json_metadata (Json *j, const char *meta_key, char **meta_value)
{
  if (meta_key == NULL)
    {
      json_skip (j, 1);
      return;
    }
  expect (j, '{');
  if (j->failed || accept (j, '}'))
    return;
  do
    {
      char key[AE_TENSOR_NAME_MAX];
      json_string (j, key, sizeof key);
      expect (j, ':');
      if (j->failed)
        return;
      if (strcmp (key, meta_key) != 0 || *meta_value != NULL)
        {
          json_skip (j, 2);
          continue;
        }
      /* No string is longer than the header that holds it. */
      *meta_value = malloc (j->len + 1);
      if (*meta_value == NULL)
        {
          ae_error_set (j->err, AE_ERR_NOMEM, "%s: out of memory for the metadata", j->name);
          j->failed = 1;
          return;
        }
      json_string (j, *meta_value, j->len + 1);
    }
  while (!j->failed && accept (j, ','));
  expect (j, '}');
}

AeStatus
ae_safetensors_parse (const uint8_t *buf, size_t len, const char *name, AeTensor **tensors,
                      int *n_tensors, AeError *err)
{
  return ae_safetensors_parse_metadata (buf, len, name, NULL, NULL, tensors, n_tensors, err);
}

static int
compare_ranges (const void *a, const void *b)
{
  const uint64_t *ra = a, *rb = b;
  return ra[0] < rb[0] ? -1 : ra[0] > rb[0];
}

/* The format's rule: the tensors' ranges cover the data exactly, without overlap or gap.
 * Overlaps let 4,096 tensors point at the same bytes and ask for 16 GB from a small file. */
static void
check_ranges_tile (uint64_t (*ranges)[2], int count, uint64_t data_len, const char *name, Json *j)
{
  if (count == 0)
    {
      if (data_len != 0)
        {
          ae_error_set (j->err, AE_ERR_FORMAT, "%s: %llu bytes of data that no tensor uses", name,
                        (unsigned long long) data_len);
          j->failed = 1;
        }
      return;
    }
  uint64_t (*sorted)[2] = malloc ((size_t) count * sizeof *sorted);
  if (sorted == NULL)
    {
      ae_error_set (j->err, AE_ERR_NOMEM, "%s: out of memory", name);
      j->failed = 1;
      return;
    }
  memcpy (sorted, ranges, (size_t) count * sizeof *sorted);
  qsort (sorted, (size_t) count, sizeof *sorted, compare_ranges);
  uint64_t end = 0;
  for (int i = 0; i < count && !j->failed; i++)
    {
      if (sorted[i][0] != end)
        {
          ae_error_set (j->err, AE_ERR_FORMAT, "%s: tensor data %s at byte %llu: the data_offsets "
                        "must cover the data without overlap or gap", name,
                        sorted[i][0] < end ? "overlaps" : "leaves a gap", (unsigned long long) end);
          j->failed = 1;
        }
      end = sorted[i][1];
    }
  if (!j->failed && end != data_len)
    {
      ae_error_set (j->err, AE_ERR_FORMAT, "%s: %llu bytes of data after the last tensor", name,
                    (unsigned long long) (data_len - end));
      j->failed = 1;
    }
  free (sorted);
}

AeStatus
ae_safetensors_parse_metadata (const uint8_t *buf, size_t len, const char *name,
                               const char *meta_key, char **meta_value, AeTensor **tensors,
                               int *n_tensors, AeError *err)
{
  if (meta_value != NULL)
    *meta_value = NULL;
  *tensors = NULL;
  *n_tensors = 0;
  if (len < 8)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: truncated: %zu bytes, shorter than the header length", name, len);
  uint64_t header_len = ae_read_u64le (buf);
  if (header_len < 2 || header_len > HEADER_MAX || header_len > len - 8)
    return ae_error_set (err, AE_ERR_FORMAT,
                         "%s: header length %llu: expected 2 to %llu and within the file of %zu bytes",
                         name, (unsigned long long) header_len, (unsigned long long) HEADER_MAX, len);
  const uint8_t *data = buf + 8 + header_len;
  uint64_t data_len = len - 8 - header_len;

  Json j = { (const char *) buf + 8, (size_t) header_len, 0, name, err, 0 };
  AeTensor *list = NULL;
  int count = 0, cap = 0;
  uint64_t (*ranges)[2] = NULL;
  expect (&j, '{');
  /* "{}", no tensors at all, is a whole header: its closing brace is taken here. */
  int empty = !j.failed && accept (&j, '}');
  if (!j.failed && !empty)
    do
      {
        char key[AE_TENSOR_NAME_MAX];
        json_string (&j, key, sizeof key);
        expect (&j, ':');
        if (j.failed)
          break;
        if (strcmp (key, "__metadata__") == 0)
          {
            json_metadata (&j, meta_key, meta_value);
            continue;
          }
        if (count == TENSORS_MAX)
          {
            json_fail (&j, "too many tensors");
            break;
          }
        if (count == cap)
          {
            cap = cap ? cap * 2 : 16;
            AeTensor *grown = realloc (list, (size_t) cap * sizeof *grown);
            uint64_t (*grown_ranges)[2] = realloc (ranges, (size_t) cap * sizeof *grown_ranges);
            if (grown != NULL)
              list = grown;
            if (grown_ranges != NULL)
              ranges = grown_ranges;
            if (grown == NULL || grown_ranges == NULL)
              {
                ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", name);
                j.failed = 1;
                break;
              }
          }
        AeTensor *t = &list[count];
        memset (t, 0, sizeof *t);
        memcpy (t->name, key, sizeof key);
        int have_dtype = 0, have_shape = 0, have_offsets = 0;
        expect (&j, '{');
        if (!j.failed && !accept (&j, '}'))
          do
            {
              char field[32];
              json_string (&j, field, sizeof field);
              expect (&j, ':');
              if (j.failed)
                break;
              if (strcmp (field, "dtype") == 0)
                {
                  char dtype[16];
                  json_string (&j, dtype, sizeof dtype);
                  if (!j.failed && strcmp (dtype, "F32") != 0)
                    {
                      ae_error_set (err, AE_ERR_UNSUPPORTED, "%s: tensor '%s' has dtype %s; only F32 is read",
                                    name, t->name, dtype);
                      j.failed = 1;
                    }
                  have_dtype = 1;
                }
              else if (strcmp (field, "shape") == 0)
                {
                  expect (&j, '[');
                  if (!j.failed && !accept (&j, ']'))
                    do
                      {
                        uint64_t dim = json_uint (&j);
                        if (j.failed)
                          break;
                        if (t->rank == AE_TENSOR_RANK_MAX || dim == 0 || dim > (uint64_t) AE_MAX_PARAMS)
                          {
                            json_fail (&j, "shape of rank above 4, or a dimension of 0 or beyond the limit");
                            break;
                          }
                        t->shape[t->rank++] = (int) dim;
                      }
                    while (accept (&j, ','));
                  expect (&j, ']');
                  have_shape = 1;
                }
              else if (strcmp (field, "data_offsets") == 0)
                {
                  expect (&j, '[');
                  ranges[count][0] = json_uint (&j);
                  expect (&j, ',');
                  ranges[count][1] = json_uint (&j);
                  expect (&j, ']');
                  have_offsets = 1;
                }
              else
                json_skip (&j, 2);
            }
          while (!j.failed && accept (&j, ','));
        expect (&j, '}');
        if (j.failed)
          break;
        if (!have_dtype || !have_shape || !have_offsets || t->rank == 0)
          {
            ae_error_set (err, AE_ERR_FORMAT, "%s: tensor '%s' lacks a dtype, a shape of rank 1 to %d or data_offsets",
                          name, t->name, AE_TENSOR_RANK_MAX);
            j.failed = 1;
            break;
          }
        for (int k = 0; k < count; k++)
          if (strcmp (list[k].name, t->name) == 0)
            {
              ae_error_set (err, AE_ERR_FORMAT, "%s: tensor '%s' appears twice", name, t->name);
              j.failed = 1;
            }
        /* Every shape is checked against the bytes it claims before anything is allocated. */
        uint64_t numel = 1;
        for (int d = 0; d < t->rank && !j.failed; d++)
          {
            numel *= (uint64_t) t->shape[d];
            if (numel > (uint64_t) AE_MAX_PARAMS)
              {
                ae_error_set (err, AE_ERR_FORMAT, "%s: tensor '%s': more than %ld values", name, t->name, AE_MAX_PARAMS);
                j.failed = 1;
              }
          }
        if (!j.failed && (ranges[count][0] > ranges[count][1] || ranges[count][1] > data_len
                          || ranges[count][1] - ranges[count][0] != numel * 4))
          {
            ae_error_set (err, AE_ERR_FORMAT,
                          "%s: tensor '%s': data_offsets [%llu, %llu] do not hold %llu float32 values within %llu bytes of data",
                          name, t->name, (unsigned long long) ranges[count][0], (unsigned long long) ranges[count][1],
                          (unsigned long long) numel, (unsigned long long) data_len);
            j.failed = 1;
          }
        if (!j.failed)
          count++;
      }
    while (!j.failed && accept (&j, ','));
  if (!empty)
    expect (&j, '}');
  skip_ws (&j);
  if (!j.failed && j.pos != j.len)
    json_fail (&j, "bytes after the header object");
  if (!j.failed)
    check_ranges_tile (ranges, count, data_len, name, &j);

  for (int i = 0; i < count && !j.failed; i++)
    {
      size_t numel = ae_tensor_numel (&list[i]);
      list[i].data = malloc (numel * sizeof (float));
      if (list[i].data == NULL)
        {
          ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory for tensor '%s'", name, list[i].name);
          j.failed = 1;
          break;
        }
      ae_read_f32le (list[i].data, data + ranges[i][0], numel);
    }
  free (ranges);
  if (j.failed)
    {
      for (int i = 0; i < count; i++)
        free (list[i].data);
      free (list);
      if (meta_value != NULL)
        {
          free (*meta_value);
          *meta_value = NULL;
        }
      return err != NULL && err->status != AE_OK ? err->status : AE_ERR_FORMAT;
    }
  /* An empty file still returns a list that can be freed. */
  *tensors = list != NULL ? list : calloc (1, sizeof *list);
  *n_tensors = count;
  return AE_OK;
}
