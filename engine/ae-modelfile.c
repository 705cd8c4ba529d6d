/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-modelfile.c: Latent Lab model files.
 *
 * Layout (all integers little-endian):
 *   "LATENTLAB-MODEL 1\n"                      magic line with the format version
 *   u32 config_len, config_len bytes           the configuration as text (no NUL)
 *   u32 n_tensors
 *   per tensor: u32 name_len, name bytes, u32 rank, rank x u32 dims, numel x f32 data
 *   u32 CRC-32 (zlib) of every byte before it
 */
#include "ae-io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ae-io-private.h"

#define MODEL_MAGIC "LATENTLAB-MODEL "
#define MODEL_VERSION 1
#define MODEL_CONFIG_MAX ((size_t) 1 << 20)
#define MODEL_TENSORS_MAX 4096
/* Every parameter as float32, the text and the headers. */
#define MODEL_FILE_MAX ((size_t) AE_MAX_PARAMS * 4 + MODEL_CONFIG_MAX + (size_t) MODEL_TENSORS_MAX * 128)

size_t
ae_tensor_numel (const AeTensor *t)
{
  size_t n = 1;
  for (int i = 0; i < t->rank; i++)
    n *= (size_t) t->shape[i];
  return n;
}

static uint32_t
crc32_of (const uint8_t *data, size_t len)
{
  uLong crc = crc32 (0L, Z_NULL, 0);
  /* zlib takes uInt lengths. */
  while (len > 0)
    {
      uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt) len;
      crc = crc32 (crc, data, chunk);
      data += chunk;
      len -= chunk;
    }
  return (uint32_t) crc;
}

/* Checks a tensor's name and shape; returns its element count or 0 (with err set). */
static size_t
check_tensor (const AeTensor *t, int index, const char *name, AeError *err)
{
  size_t name_len = strnlen (t->name, AE_TENSOR_NAME_MAX);
  if (name_len == 0 || name_len == AE_TENSOR_NAME_MAX)
    {
      ae_error_set (err, AE_ERR_INVALID, "%s: tensor %d: the name must have 1 to %d bytes", name,
                    index, AE_TENSOR_NAME_MAX - 1);
      return 0;
    }
  if (t->rank < 1 || t->rank > AE_TENSOR_RANK_MAX)
    {
      ae_error_set (err, AE_ERR_INVALID, "%s: tensor '%s': rank %d, expected 1 to %d", name,
                    t->name, t->rank, AE_TENSOR_RANK_MAX);
      return 0;
    }
  size_t numel = 1;
  for (int d = 0; d < t->rank; d++)
    {
      if (t->shape[d] <= 0 || (size_t) t->shape[d] > (size_t) AE_MAX_PARAMS / numel)
        {
          ae_error_set (err, AE_ERR_INVALID,
                        "%s: tensor '%s': dimension %d is %d, expected a positive size with at most %ld values in all",
                        name, t->name, d, t->shape[d], AE_MAX_PARAMS);
          return 0;
        }
      numel *= (size_t) t->shape[d];
    }
  return numel;
}

AeStatus
ae_modelfile_write (const char *path, const char *config_text, const AeTensor *tensors,
                    int n_tensors, AeError *err)
{
  size_t config_len = config_text ? strlen (config_text) : 0;
  if (config_len > MODEL_CONFIG_MAX)
    return ae_error_set (err, AE_ERR_LIMIT, "%s: configuration of %zu bytes, at most %zu", path,
                         config_len, MODEL_CONFIG_MAX);
  if (n_tensors < 0 || n_tensors > MODEL_TENSORS_MAX)
    return ae_error_set (err, AE_ERR_LIMIT, "%s: %d tensors, expected 0 to %d", path, n_tensors,
                         MODEL_TENSORS_MAX);

  AeBytes b = { 0 };
  char magic[32];
  int magic_len = snprintf (magic, sizeof magic, MODEL_MAGIC "%d\n", MODEL_VERSION);
  ae_bytes_put (&b, magic, (size_t) magic_len);
  ae_bytes_u32le (&b, (uint32_t) config_len);
  ae_bytes_put (&b, config_text, config_len);
  ae_bytes_u32le (&b, (uint32_t) n_tensors);
  for (int i = 0; i < n_tensors; i++)
    {
      const AeTensor *t = &tensors[i];
      size_t numel = check_tensor (t, i, path, err);
      if (numel == 0)
        {
          free (b.data);
          return err ? err->status : AE_ERR_INVALID;
        }
      size_t name_len = strlen (t->name);
      ae_bytes_u32le (&b, (uint32_t) name_len);
      ae_bytes_put (&b, t->name, name_len);
      ae_bytes_u32le (&b, (uint32_t) t->rank);
      for (int d = 0; d < t->rank; d++)
        ae_bytes_u32le (&b, (uint32_t) t->shape[d]);
      ae_bytes_f32le (&b, t->data, numel);
    }
  if (!b.failed)
    ae_bytes_u32le (&b, crc32_of (b.data, b.len));
  if (b.failed)
    {
      free (b.data);
      return ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory while encoding the model", path);
    }
  AeStatus status = ae_file_write_atomic (path, b.data, b.len, err);
  free (b.data);
  return status;
}

void
ae_modelfile_free_tensors (AeTensor *tensors, int n_tensors)
{
  if (tensors == NULL)
    return;
  for (int i = 0; i < n_tensors; i++)
    free (tensors[i].data);
  free (tensors);
}

/* A reading cursor that reports where a field was expected when bytes run out. */
typedef struct {
  const uint8_t *buf;
  size_t len, pos;
  const char *name;
  AeError *err;
} Cursor;

static int
need (Cursor *c, size_t n, const char *what)
{
  if (n <= c->len - c->pos)
    return 1;
  ae_error_set (c->err, AE_ERR_FORMAT,
                "%s: truncated at offset %zu: %s needs %zu bytes but %zu remain (file of %zu bytes)",
                c->name, c->pos, what, n, c->len - c->pos, c->len);
  return 0;
}

static int
take_u32 (Cursor *c, uint32_t *v, const char *what)
{
  if (!need (c, 4, what))
    return 0;
  *v = ae_read_u32le (c->buf + c->pos);
  c->pos += 4;
  return 1;
}

AeStatus
ae_modelfile_parse (const uint8_t *buf, size_t len, const char *name, char **config_text,
                    AeTensor **tensors, int *n_tensors, AeError *err)
{
  *config_text = NULL;
  *tensors = NULL;
  *n_tensors = 0;

  /* Magic and version first: the most useful message for a file of another kind. */
  size_t magic_len = strlen (MODEL_MAGIC);
  if (len < magic_len || memcmp (buf, MODEL_MAGIC, magic_len) != 0)
    return ae_error_set (err, AE_ERR_FORMAT,
                         "%s: bad magic: not a Latent Lab model file (expected it to begin with \"%s\")",
                         name, MODEL_MAGIC "1");
  size_t pos = magic_len;
  long version = 0;
  while (pos < len && pos < magic_len + 9 && buf[pos] >= '0' && buf[pos] <= '9')
    version = version * 10 + (buf[pos++] - '0');
  if (pos == magic_len || pos >= len || buf[pos] != '\n')
    return ae_error_set (err, AE_ERR_FORMAT, "%s: bad magic line: expected \"%s\" and a newline",
                         name, MODEL_MAGIC "1");
  if (version != MODEL_VERSION)
    return ae_error_set (err, AE_ERR_UNSUPPORTED,
                         "%s: model file version %ld; this build reads version %d", name, version,
                         MODEL_VERSION);
  pos++;

  Cursor c = { buf, len, pos, name, err };
  uint32_t config_len, count;
  if (!take_u32 (&c, &config_len, "the configuration length"))
    return AE_ERR_FORMAT;
  if (config_len > MODEL_CONFIG_MAX)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: configuration length %u at offset %zu: at most %zu",
                         name, config_len, c.pos - 4, MODEL_CONFIG_MAX);
  if (!need (&c, config_len, "the configuration text"))
    return AE_ERR_FORMAT;
  const uint8_t *nul = memchr (buf + c.pos, '\0', config_len);
  if (nul != NULL)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: NUL byte in the configuration text at offset %zu",
                         name, (size_t) (nul - buf));
  size_t config_pos = c.pos;
  c.pos += config_len;
  if (!take_u32 (&c, &count, "the tensor count"))
    return AE_ERR_FORMAT;
  if (count > MODEL_TENSORS_MAX)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: %u tensors declared at offset %zu: at most %d",
                         name, count, c.pos - 4, MODEL_TENSORS_MAX);

  char *text = malloc ((size_t) config_len + 1);
  AeTensor *list = calloc (count > 0 ? count : 1, sizeof *list);
  if (text == NULL || list == NULL)
    {
      free (text);
      free (list);
      return ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", name);
    }
  memcpy (text, buf + config_pos, config_len);
  text[config_len] = '\0';

  AeStatus status = AE_OK;
  size_t total = 0;
  uint32_t i;
  for (i = 0; i < count && status == AE_OK; i++)
    {
      AeTensor *t = &list[i];
      uint32_t name_len, rank;
      if (!take_u32 (&c, &name_len, "a tensor name length"))
        {
          status = AE_ERR_FORMAT;
          break;
        }
      if (name_len == 0 || name_len >= AE_TENSOR_NAME_MAX)
        {
          status = ae_error_set (err, AE_ERR_FORMAT,
                                 "%s: tensor %u: name length %u at offset %zu, expected 1 to %d",
                                 name, i, name_len, c.pos - 4, AE_TENSOR_NAME_MAX - 1);
          break;
        }
      if (!need (&c, name_len, "a tensor name"))
        {
          status = AE_ERR_FORMAT;
          break;
        }
      memcpy (t->name, buf + c.pos, name_len);
      t->name[name_len] = '\0';
      if (strlen (t->name) != name_len)
        {
          status = ae_error_set (err, AE_ERR_FORMAT, "%s: tensor %u: NUL byte in its name at offset %zu",
                                 name, i, c.pos);
          break;
        }
      c.pos += name_len;
      if (!take_u32 (&c, &rank, "a tensor rank"))
        {
          status = AE_ERR_FORMAT;
          break;
        }
      if (rank < 1 || rank > AE_TENSOR_RANK_MAX)
        {
          status = ae_error_set (err, AE_ERR_FORMAT, "%s: tensor '%s': rank %u at offset %zu, expected 1 to %d",
                                 name, t->name, rank, c.pos - 4, AE_TENSOR_RANK_MAX);
          break;
        }
      t->rank = (int) rank;
      size_t numel = 1;
      for (uint32_t d = 0; d < rank && status == AE_OK; d++)
        {
          uint32_t dim;
          if (!take_u32 (&c, &dim, "a tensor dimension"))
            status = AE_ERR_FORMAT;
          else if (dim == 0 || dim > (uint32_t) AE_MAX_PARAMS || numel * dim > (size_t) AE_MAX_PARAMS)
            status = ae_error_set (err, AE_ERR_FORMAT,
                                   "%s: tensor '%s': absurd shape: dimension %u is %u at offset %zu (at most %ld values per tensor)",
                                   name, t->name, d, dim, c.pos - 4, AE_MAX_PARAMS);
          else
            {
              t->shape[d] = (int) dim;
              numel *= dim;
            }
        }
      if (status != AE_OK)
        break;
      total += numel;
      if (total > (size_t) AE_MAX_PARAMS)
        {
          status = ae_error_set (err, AE_ERR_FORMAT, "%s: more than %ld parameters in all at tensor '%s'",
                                 name, AE_MAX_PARAMS, t->name);
          break;
        }
      /* The data must be in the file before its buffer is allocated. */
      if (!need (&c, numel * 4, "tensor data"))
        {
          status = AE_ERR_FORMAT;
          break;
        }
      t->data = malloc (numel * sizeof (float));
      if (t->data == NULL)
        {
          status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory for tensor '%s'", name, t->name);
          break;
        }
      ae_read_f32le (t->data, buf + c.pos, numel);
      c.pos += numel * 4;
    }

  if (status == AE_OK)
    {
      uint32_t stored;
      size_t crc_pos = c.pos;
      if (!take_u32 (&c, &stored, "the checksum"))
        status = AE_ERR_FORMAT;
      else if (c.pos != len)
        status = ae_error_set (err, AE_ERR_FORMAT, "%s: %zu unexpected bytes after the checksum at offset %zu",
                               name, len - c.pos, c.pos);
      else
        {
          uint32_t computed = crc32_of (buf, crc_pos);
          if (computed != stored)
            status = ae_error_set (err, AE_ERR_FORMAT,
                                   "%s: checksum mismatch (stored %08x, computed %08x): the file is damaged or altered",
                                   name, stored, computed);
        }
    }
  if (status != AE_OK)
    {
      free (text);
      ae_modelfile_free_tensors (list, (int) count);
      return status;
    }
  *config_text = text;
  *tensors = list;
  *n_tensors = (int) count;
  return AE_OK;
}

AeStatus
ae_modelfile_read (const char *path, char **config_text, AeTensor **tensors, int *n_tensors,
                   AeError *err)
{
  uint8_t *buf;
  size_t len;
  *config_text = NULL;
  *tensors = NULL;
  *n_tensors = 0;
  AeStatus status = ae_file_read_all (path, MODEL_FILE_MAX, &buf, &len, err);
  if (status != AE_OK)
    return status;
  status = ae_modelfile_parse (buf, len, path, config_text, tensors, n_tensors, err);
  free (buf);
  return status;
}
