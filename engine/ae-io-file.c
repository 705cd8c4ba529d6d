/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-io-file.c: whole-file reads (with transparent gzip) and atomic writes. */
#include "ae-io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* zlib counts in uInt; feed it at most this much at a time. */
#define ZLIB_CHUNK ((size_t) 1 << 30)
#define GZIP_TWICE "gzip inside gzip (compressed twice): decompress it once, e.g. with gunzip"

AeStatus
ae_gunzip_memory (const uint8_t *in, size_t in_len, size_t max_bytes, uint8_t **out,
                  size_t *out_len, const char *name, AeError *err)
{
  *out = NULL;
  *out_len = 0;
  if (in_len < 18 || in[0] != 0x1f || in[1] != 0x8b)
    return ae_error_set (err, AE_ERR_FORMAT,
                         "%s: not gzip data (%zu bytes, expected the magic 1f 8b and at least 18 bytes)",
                         name, in_len);

  /* The trailer holds the inflated size modulo 2^32: a good first guess, never trusted.
   * Deflate expands at most 1032 times, so a larger hint is a lie: believing it let a
   * 55-byte file reserve 1.6 GB before inflating a byte (found by fuzzing). */
  uint32_t hint = (uint32_t) in[in_len - 4] | (uint32_t) in[in_len - 3] << 8
                  | (uint32_t) in[in_len - 2] << 16 | (uint32_t) in[in_len - 1] << 24;
  int hint_possible = in_len <= SIZE_MAX / 1032 && hint <= in_len * 1032;
  size_t cap = hint > 0 && hint <= max_bytes && hint_possible ? (size_t) hint + 1 : 1 << 16;
  if (cap > max_bytes + 1)
    cap = max_bytes + 1;
  uint8_t *buf = malloc (cap);
  if (buf == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory for %zu inflated bytes", name, cap);

  z_stream zs;
  memset (&zs, 0, sizeof zs);
  if (inflateInit2 (&zs, 16 + MAX_WBITS) != Z_OK)
    {
      free (buf);
      return ae_error_set (err, AE_ERR_NOMEM, "%s: cannot start the gzip decoder", name);
    }

  size_t consumed = 0, produced = 0;
  AeStatus status = AE_OK;
  for (;;)
    {
      if (produced == cap)
        {
          if (cap > max_bytes)
            {
              status = ae_error_set (err, AE_ERR_LIMIT,
                                     "%s: inflates to more than %zu bytes, the limit for this file",
                                     name, max_bytes);
              break;
            }
          size_t grown_cap = cap > max_bytes / 2 ? max_bytes + 1 : cap * 2;
          uint8_t *grown = realloc (buf, grown_cap);
          if (grown == NULL)
            {
              status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory for %zu inflated bytes",
                                     name, grown_cap);
              break;
            }
          buf = grown;
          cap = grown_cap;
        }
      size_t in_chunk = in_len - consumed < ZLIB_CHUNK ? in_len - consumed : ZLIB_CHUNK;
      size_t out_chunk = cap - produced < ZLIB_CHUNK ? cap - produced : ZLIB_CHUNK;
      zs.next_in = (Bytef *) (in + consumed);
      zs.avail_in = (uInt) in_chunk;
      zs.next_out = buf + produced;
      zs.avail_out = (uInt) out_chunk;
      int rc = inflate (&zs, Z_NO_FLUSH);
      consumed += in_chunk - zs.avail_in;
      produced += out_chunk - zs.avail_out;
      if (produced >= 2 && buf[0] == 0x1f && buf[1] == 0x8b)
        {
          /* Each layer multiplies by up to a thousand: 3.5 KB of gzip inside gzip made
           * 2 GB of IDX. No format read here is gzip data itself. */
          status = ae_error_set (err, AE_ERR_FORMAT, "%s: " GZIP_TWICE, name);
          break;
        }
      if (rc == Z_STREAM_END)
        {
          /* Concatenated gzip members (as `cat a.gz b.gz` makes) form one stream. */
          if (consumed + 2 <= in_len && in[consumed] == 0x1f && in[consumed + 1] == 0x8b)
            {
              inflateReset (&zs);
              continue;
            }
          break;
        }
      if (rc == Z_OK)
        continue;
      if (rc == Z_BUF_ERROR && zs.avail_out == 0)
        continue; /* output full: grow and go on */
      if (rc == Z_BUF_ERROR && consumed == in_len)
        status = ae_error_set (err, AE_ERR_FORMAT,
                               "%s: gzip data truncated after %zu compressed bytes (%zu inflated)",
                               name, in_len, produced);
      else if (rc == Z_MEM_ERROR)
        status = ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory in the gzip decoder", name);
      else
        status = ae_error_set (err, AE_ERR_FORMAT, "%s: corrupt gzip data near compressed byte %zu: %s",
                               name, consumed, zs.msg ? zs.msg : "invalid stream");
      break;
    }
  inflateEnd (&zs);
  /* The buffer holds one byte more than the bound, so that reaching it is seen. */
  if (status == AE_OK && produced > max_bytes)
    status = ae_error_set (err, AE_ERR_LIMIT,
                           "%s: inflates to more than %zu bytes, the limit for this file", name,
                           max_bytes);
  if (status != AE_OK)
    {
      free (buf);
      return status;
    }
  *out = buf;
  *out_len = produced;
  return AE_OK;
}

static const char *
file_type_name (mode_t mode)
{
  if (S_ISDIR (mode))
    return "a folder";
  if (S_ISFIFO (mode))
    return "a FIFO (named pipe)";
  if (S_ISSOCK (mode))
    return "a socket";
  if (S_ISCHR (mode) || S_ISBLK (mode))
    return "a device";
  return "a special file";
}

/* Opens path for reading when it is a regular file; fills *st. */
static AeStatus
open_regular (const char *path, int *fd_out, struct stat *st, AeError *err)
{
  /* O_NONBLOCK: a FIFO would otherwise block in open() until some writer came (a shared
   * session naming one froze the window); for a regular file the flag changes nothing. */
  int fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return ae_error_set (err, AE_ERR_IO, "%s: cannot open: %s", path, strerror (errno));
  if (fstat (fd, st) != 0)
    {
      int saved = errno;
      close (fd);
      return ae_error_set (err, AE_ERR_IO, "%s: cannot stat: %s", path, strerror (saved));
    }
  if (!S_ISREG (st->st_mode))
    {
      close (fd);
      return ae_error_set (err, AE_ERR_IO, "%s: %s, not a regular file", path,
                           file_type_name (st->st_mode));
    }
  *fd_out = fd;
  return AE_OK;
}

AeStatus
ae_file_read_all (const char *path, size_t max_bytes, uint8_t **out, size_t *len, AeError *err)
{
  *out = NULL;
  *len = 0;
  int fd;
  struct stat st;
  AeStatus opened = open_regular (path, &fd, &st, err);
  if (opened != AE_OK)
    return opened;
  /* A compressed file is smaller than its content, so the same bound applies to both. */
  if ((uint64_t) st.st_size > (uint64_t) max_bytes)
    {
      close (fd);
      return ae_error_set (err, AE_ERR_LIMIT, "%s: %lld bytes, more than the %zu accepted", path,
                           (long long) st.st_size, max_bytes);
    }
  size_t size = (size_t) st.st_size;
  uint8_t *raw = malloc (size > 0 ? size : 1);
  if (raw == NULL)
    {
      close (fd);
      return ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory for %zu bytes", path, size);
    }
  size_t got = 0;
  while (got < size)
    {
      ssize_t n = read (fd, raw + got, size - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close (fd);
          free (raw);
          return ae_error_set (err, AE_ERR_IO, "%s: read failed at byte %zu: %s", path, got,
                               strerror (saved));
        }
      if (n == 0)
        break; /* the file shrank while we read it: keep what is there */
      got += (size_t) n;
    }
  close (fd);

  if (got >= 2 && raw[0] == 0x1f && raw[1] == 0x8b)
    {
      uint8_t *inflated;
      size_t inflated_len;
      AeStatus status = ae_gunzip_memory (raw, got, max_bytes, &inflated, &inflated_len, path, err);
      free (raw);
      if (status != AE_OK)
        return status;
      *out = inflated;
      *len = inflated_len;
      return AE_OK;
    }
  *out = raw;
  *len = got;
  return AE_OK;
}

AeStatus
ae_file_read_head (const char *path, uint8_t *out, size_t want, size_t *len, AeError *err)
{
  *len = 0;
  int fd;
  struct stat st;
  AeStatus status = open_regular (path, &fd, &st, err);
  if (status != AE_OK)
    return status;
  /* Deflate's headers and first blocks are small: this much compressed input gives far more
   * than a header's worth of output. */
  uint8_t raw[1 << 16];
  size_t got = 0;
  while (got < sizeof raw)
    {
      ssize_t n = read (fd, raw + got, sizeof raw - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close (fd);
          return ae_error_set (err, AE_ERR_IO, "%s: read failed at byte %zu: %s", path, got,
                               strerror (saved));
        }
      if (n == 0)
        break;
      got += (size_t) n;
    }
  close (fd);
  if (!(got >= 2 && raw[0] == 0x1f && raw[1] == 0x8b))
    {
      *len = got < want ? got : want;
      memcpy (out, raw, *len);
      return AE_OK;
    }
  z_stream zs;
  memset (&zs, 0, sizeof zs);
  if (inflateInit2 (&zs, 16 + MAX_WBITS) != Z_OK)
    return ae_error_set (err, AE_ERR_NOMEM, "%s: cannot start the gzip decoder", path);
  zs.next_in = raw;
  zs.avail_in = (uInt) got;
  zs.next_out = out;
  zs.avail_out = (uInt) want;
  int rc;
  do
    rc = inflate (&zs, Z_NO_FLUSH);
  while (rc == Z_OK && zs.avail_out > 0 && zs.avail_in > 0);
  *len = want - zs.avail_out;
  inflateEnd (&zs);
  if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: corrupt gzip data at its start", path);
  if (*len >= 2 && out[0] == 0x1f && out[1] == 0x8b)
    return ae_error_set (err, AE_ERR_FORMAT, "%s: " GZIP_TWICE, path);
  return AE_OK;
}

static int
write_all (int fd, const uint8_t *data, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len > ((size_t) 1 << 30) ? (size_t) 1 << 30 : len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      data += n;
      len -= (size_t) n;
    }
  return 0;
}

/* fsync of the folder makes the rename itself durable. Some file systems refuse it
 * (EINVAL); the data is safe anyway then. */
static void
sync_dir (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/* The file a save to path replaces, as the check found it. */
typedef struct {
  char *dest;     /* path, or the file its symbolic link points to */
  char *dir;      /* dest's folder */
  const char *base; /* dest's last component, inside dest */
  int exists;
  mode_t mode;    /* the existing file's permission bits */
} SaveTarget;

static void
save_target_clear (SaveTarget *t)
{
  free (t->dest);
  free (t->dir);
  memset (t, 0, sizeof *t);
}

/* Everything that would make a save to path fail, found before the data exists (a training
 * run can take hours). A symbolic link is followed: the file it points to is replaced and the
 * link stays, as a shell's `>` would do; a link to nothing is refused. */
static AeStatus
save_target_check (const char *path, SaveTarget *t, AeError *err)
{
  memset (t, 0, sizeof *t);
  size_t len = strlen (path);
  if (len == 0)
    return ae_error_set (err, AE_ERR_INVALID, "an empty file name: give the file to write");
  if (path[len - 1] == '/')
    return ae_error_set (err, AE_ERR_INVALID, "%s: names a folder; give a file name in it", path);
  const char *slash = strrchr (path, '/');
  const char *base = slash != NULL ? slash + 1 : path;
  if (strlen (base) > NAME_MAX)
    return ae_error_set (err, AE_ERR_INVALID, "%s: a file name of %zu bytes; at most %d fit",
                         path, strlen (base), NAME_MAX);

  struct stat st;
  if (lstat (path, &st) == 0)
    {
      if (S_ISLNK (st.st_mode))
        {
          t->dest = realpath (path, NULL);
          if (t->dest == NULL)
            return ae_error_set (err, AE_ERR_IO,
                                 "%s: a symbolic link to a file that cannot be reached (%s); "
                                 "remove the link or save under another name", path,
                                 strerror (errno));
          if (stat (t->dest, &st) != 0)
            {
              int saved = errno;
              save_target_clear (t);
              return ae_error_set (err, AE_ERR_IO, "%s: cannot stat: %s", path, strerror (saved));
            }
        }
      if (S_ISDIR (st.st_mode))
        {
          save_target_clear (t);
          return ae_error_set (err, AE_ERR_IO, "%s: a folder; give a file name in it", path);
        }
      if (!S_ISREG (st.st_mode))
        {
          save_target_clear (t);
          return ae_error_set (err, AE_ERR_IO, "%s: %s, not a regular file to replace", path,
                               file_type_name (st.st_mode));
        }
      /* rename() only needs the folder's permission: without this check a file the user
       * protected would be replaced silently. Write bits are tested too, as root passes
       * access(). */
      if ((st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0 || access (t->dest ? t->dest : path, W_OK) != 0)
        {
          save_target_clear (t);
          return ae_error_set (err, AE_ERR_IO,
                               "%s: write-protected; make it writable (chmod u+w) or save under "
                               "another name", path);
        }
      t->exists = 1;
      t->mode = st.st_mode & 07777;
    }
  else if (errno != ENOENT)
    return ae_error_set (err, AE_ERR_IO, "%s: %s", path, strerror (errno));

  if (t->dest == NULL && (t->dest = strdup (path)) == NULL)
    return ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", path);
  slash = strrchr (t->dest, '/');
  t->base = slash != NULL ? slash + 1 : t->dest;
  t->dir = slash == NULL ? strdup (".") : strndup (t->dest, slash == t->dest ? 1 : (size_t) (slash - t->dest));
  if (t->dir == NULL)
    {
      save_target_clear (t);
      return ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", path);
    }
  struct stat dst;
  int dir_found = stat (t->dir, &dst) == 0;
  if (!dir_found || !S_ISDIR (dst.st_mode))
    {
      AeStatus status = ae_error_set (err, AE_ERR_IO, "%s: %s %s", path, t->dir,
                                      dir_found ? "is not a folder" : "cannot be reached (no such folder?)");
      save_target_clear (t);
      return status;
    }
  if (access (t->dir, W_OK | X_OK) != 0)
    {
      int saved = errno;
      AeStatus status = ae_error_set (err, AE_ERR_IO, "%s: cannot write into the folder %s: %s",
                                      path, t->dir, strerror (saved));
      save_target_clear (t);
      return status;
    }
  return AE_OK;
}

AeStatus
ae_file_check_writable (const char *path, AeError *err)
{
  SaveTarget t;
  AeStatus status = save_target_check (path, &t, err);
  save_target_clear (&t);
  return status;
}

/* "<dir>/<base>.tmp-<pid>-<n>", the base shortened so that the name fits NAME_MAX. */
static void
temp_name (const SaveTarget *t, char *out, size_t out_size, unsigned n)
{
  char suffix[64];
  int suffix_len = snprintf (suffix, sizeof suffix, ".tmp-%ld-%u", (long) getpid (), n);
  size_t base_len = strlen (t->base);
  if (base_len + (size_t) suffix_len > NAME_MAX)
    base_len = NAME_MAX - (size_t) suffix_len;
  snprintf (out, out_size, "%s/%.*s%s", t->dir, (int) base_len, t->base, suffix);
}

/* Writes, keeps the replaced file's mode, fsyncs. Returns the failed step or NULL. */
static const char *
fill_file (int fd, const SaveTarget *t, const void *data, size_t len)
{
  if (write_all (fd, data, len) != 0)
    return "write";
  if (t->exists && fchmod (fd, t->mode) != 0)
    return "chmod";
  if (fsync (fd) != 0)
    return "fsync";
  return NULL;
}

AeStatus
ae_file_write_atomic (const char *path, const void *data, size_t len, AeError *err)
{
  static atomic_uint counter;
  SaveTarget t;
  AeStatus checked = save_target_check (path, &t, err);
  if (checked != AE_OK)
    return checked;
  size_t tmp_size = strlen (t.dir) + NAME_MAX + 2;
  char *tmp = malloc (tmp_size);
  if (tmp == NULL)
    {
      save_target_clear (&t);
      return ae_error_set (err, AE_ERR_NOMEM, "%s: out of memory", path);
    }

  const char *step = NULL;
  int saved = 0, named = 0;
#ifdef O_TMPFILE
  /* A file without a name while it is written: a kill leaves nothing behind. It gets a
   * temporary name only for the instant between linkat() and rename(). */
  int fd = open (t.dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  if (fd >= 0)
    {
      step = fill_file (fd, &t, data, len);
      saved = errno;
      if (step == NULL)
        {
          char proc_path[64];
          snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
          for (int attempt = 0; attempt < 100 && !named; attempt++)
            {
              temp_name (&t, tmp, tmp_size, atomic_fetch_add (&counter, 1));
              if (linkat (AT_FDCWD, proc_path, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0)
                named = 1;
              else if (errno != EEXIST)
                break;
            }
        }
      close (fd);
      if (step != NULL)
        goto done;
    }
#endif
  if (!named)
    {
      /* No O_TMPFILE here (or no /proc to link it by): a named temporary file, removed on
       * failure. O_EXCL with 0666 lets the umask decide a new file's mode. */
      int nfd = -1;
      for (int attempt = 0; attempt < 100 && nfd < 0; attempt++)
        {
          temp_name (&t, tmp, tmp_size, atomic_fetch_add (&counter, 1));
          nfd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
          if (nfd < 0 && errno != EEXIST)
            break;
        }
      if (nfd < 0)
        {
          saved = errno;
          free (tmp);
          save_target_clear (&t);
          return ae_error_set (err, AE_ERR_IO, "%s: cannot create a temporary file beside it: %s",
                               path, strerror (saved));
        }
      named = 1;
      step = fill_file (nfd, &t, data, len);
      saved = errno;
      if (close (nfd) != 0 && step == NULL)
        {
          step = "close";
          saved = errno;
        }
    }
  if (step == NULL && rename (tmp, t.dest) != 0)
    {
      step = "rename";
      saved = errno;
    }
  if (step != NULL && named)
    unlink (tmp);
done:
  free (tmp);
  if (step != NULL)
    {
      save_target_clear (&t);
      return ae_error_set (err, AE_ERR_IO, "%s: %s failed: %s (the old file, if any, is unchanged)",
                           path, step, strerror (saved));
    }
  sync_dir (t.dir);
  save_target_clear (&t);
  return AE_OK;
}
