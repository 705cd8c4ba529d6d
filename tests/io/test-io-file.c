/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Whole-file reads with gzip detection, in-memory gunzip and atomic writes. */
#include "io-test-util.h"

#include <zlib.h>

#include "ae-io.h"

/* gzip-compresses buf with zlib's own writer, as `gzip` would. */
static void
write_gzip (const char *path, const void *buf, size_t len)
{
  gzFile gz = gzopen (path, "wb9");
  CHECK (gz != NULL, "gzopen %s", path);
  CHECK (gzwrite (gz, buf, (unsigned) len) == (int) len, "gzwrite");
  gzclose (gz);
}

static uint8_t *
pattern (size_t n)
{
  uint8_t *p = malloc (n);
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t) ((i * 2654435761u) >> 13);
  return p;
}

static void
test_read_raw_and_gzip (void)
{
  char *dir = io_test_mkdtemp ();
  char *raw = io_test_path (dir, "data.bin"), *gz = io_test_path (dir, "data.bin.gz");
  size_t n = 300000;
  uint8_t *src = pattern (n);
  io_test_write (raw, src, n);
  write_gzip (gz, src, n);
  const char *paths[] = { raw, gz };
  for (int k = 0; k < 2; k++)
    {
      uint8_t *buf = NULL;
      size_t len = 0;
      AeError err = { 0 };
      AeStatus st = ae_file_read_all (paths[k], n, &buf, &len, &err);
      CHECK (st == AE_OK, "%s: %s", paths[k], err.message);
      CHECK (len == n && buf != NULL && memcmp (buf, src, n) == 0, "%s: %zu bytes", paths[k], len);
      free (buf);
      /* One byte less than the content: refused by the bound, naming the file. */
      st = ae_file_read_all (paths[k], n - 1, &buf, &len, &err);
      CHECK (st == AE_ERR_LIMIT && buf == NULL, "%s: status %d", paths[k], st);
      CHECK_NAMES (err, paths[k]);
    }
  free (src);
  free (raw);
  free (gz);
  io_test_rmdir (dir);
}

static void
test_gzip_truncated_and_corrupt (void)
{
  char *dir = io_test_mkdtemp ();
  char *gz = io_test_path (dir, "t.gz");
  size_t n = 50000;
  uint8_t *src = pattern (n);
  write_gzip (gz, src, n);
  size_t zlen;
  uint8_t *z = io_test_read (gz, &zlen);
  for (size_t cut = 2; cut < zlen; cut += zlen / 23 + 1)
    {
      uint8_t *out = NULL;
      size_t out_len;
      AeError err = { 0 };
      AeStatus st = ae_gunzip_memory (z, cut, 1 << 20, &out, &out_len, "cut.gz", &err);
      CHECK (st == AE_ERR_FORMAT && out == NULL, "cut at %zu: status %d", cut, st);
      CHECK_NAMES (err, "cut.gz");
    }
  /* A flipped byte in the deflate data or the CRC trailer is caught by zlib's check. */
  size_t spots[] = { 20, zlen / 2, zlen - 6 };
  for (int k = 0; k < 3; k++)
    {
      uint8_t *copy = malloc (zlen);
      memcpy (copy, z, zlen);
      copy[spots[k]] ^= 0x40;
      uint8_t *out = NULL;
      size_t out_len;
      AeError err = { 0 };
      AeStatus st = ae_gunzip_memory (copy, zlen, 1 << 20, &out, &out_len, "flip.gz", &err);
      CHECK (st == AE_ERR_FORMAT && out == NULL, "flip at %zu: status %d", spots[k], st);
      CHECK_NAMES (err, "flip.gz");
      free (out);
      free (copy);
    }
  /* A truncated file read through ae_file_read_all names the path. */
  io_test_write (gz, z, zlen / 2);
  uint8_t *buf = NULL;
  size_t len;
  AeError err = { 0 };
  CHECK (ae_file_read_all (gz, 1 << 20, &buf, &len, &err) == AE_ERR_FORMAT, "half file accepted");
  CHECK_NAMES (err, gz);
  free (z);
  free (src);
  free (gz);
  io_test_rmdir (dir);
}

static void
test_gzip_bomb_bounded (void)
{
  /* 64 MiB of zeros compress to about 64 KiB; a 1 MiB bound must stop the inflation. */
  size_t n = 64u << 20;
  uint8_t *zeros = calloc (n, 1);
  uLongf zcap = compressBound ((uLong) n) + 32;
  uint8_t *z = malloc (zcap);
  z_stream zs = { 0 };
  deflateInit2 (&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
  zs.next_in = zeros;
  zs.avail_in = (uInt) n;
  zs.next_out = z;
  zs.avail_out = (uInt) zcap;
  CHECK (deflate (&zs, Z_FINISH) == Z_STREAM_END, "deflate");
  size_t zlen = zs.total_out;
  deflateEnd (&zs);
  uint8_t *out = NULL;
  size_t out_len;
  AeError err = { 0 };
  AeStatus st = ae_gunzip_memory (z, zlen, 1 << 20, &out, &out_len, "bomb.gz", &err);
  CHECK (st == AE_ERR_LIMIT && out == NULL, "status %d", st);
  CHECK_NAMES (err, "bomb.gz");
  st = ae_gunzip_memory (z, zlen, n, &out, &out_len, "bomb.gz", &err);
  CHECK (st == AE_OK && out_len == n, "%s", err.message);
  free (out);
  free (z);
  free (zeros);
}

static void
test_read_errors_name_the_path (void)
{
  char *dir = io_test_mkdtemp ();
  char *missing = io_test_path (dir, "missing.idx");
  uint8_t *buf = NULL;
  size_t len;
  AeError err = { 0 };
  CHECK (ae_file_read_all (missing, 100, &buf, &len, &err) == AE_ERR_IO, "missing file read");
  CHECK_NAMES (err, missing);
  CHECK (ae_file_read_all (dir, 100, &buf, &len, &err) == AE_ERR_IO, "folder read as a file");
  CHECK_NAMES (err, dir);
  CHECK (buf == NULL, "no buffer on failure");
  /* An empty file is a valid, empty read. */
  char *empty = io_test_path (dir, "empty");
  io_test_write (empty, "", 0);
  CHECK (ae_file_read_all (empty, 100, &buf, &len, &err) == AE_OK && len == 0, "%s", err.message);
  free (buf);
  free (empty);
  free (missing);
  io_test_rmdir (dir);
}

/* A FIFO blocks in open() until a writer comes: it is refused at once, by name. The alarm
 * turns a hang into a failure. */
static void
test_fifo_refused_at_once (void)
{
  char *dir = io_test_mkdtemp ();
  char *fifo = io_test_path (dir, "model.latentlab");
  CHECK (mkfifo (fifo, 0600) == 0, "mkfifo %s", fifo);
  uint8_t *buf = NULL;
  size_t len;
  AeError err = { 0 };
  alarm (5);
  AeStatus st = ae_file_read_all (fifo, 100, &buf, &len, &err);
  alarm (0);
  CHECK (st == AE_ERR_IO && buf == NULL, "status %d", st);
  CHECK_NAMES (err, fifo);
  CHECK (strstr (err.message, "FIFO") != NULL, "the message does not say what it is: %s",
         err.message);
  free (fifo);
  io_test_rmdir (dir);
}

static void
test_atomic_write_replaces (void)
{
  char *dir = io_test_mkdtemp ();
  char *path = io_test_path (dir, "model.llm");
  const char *old_text = "the old content, which is longer than the new one\n";
  io_test_write (path, old_text, strlen (old_text));
  AeError err = { 0 };
  const char *new_text = "new\n";
  CHECK (ae_file_write_atomic (path, new_text, strlen (new_text), &err) == AE_OK, "%s", err.message);
  size_t len;
  uint8_t *got = io_test_read (path, &len);
  CHECK (got != NULL && len == strlen (new_text) && memcmp (got, new_text, len) == 0,
         "content after replace: %zu bytes", len);
  free (got);
  CHECK (io_test_count_entries (dir) == 1, "a temporary file was left: %d entries",
         io_test_count_entries (dir));

  /* Larger data, written over the smaller file. */
  size_t n = 1 << 20;
  uint8_t *big = pattern (n);
  CHECK (ae_file_write_atomic (path, big, n, &err) == AE_OK, "%s", err.message);
  got = io_test_read (path, &len);
  CHECK (got != NULL && len == n && memcmp (got, big, n) == 0, "big content: %zu bytes", len);
  free (got);
  free (big);
  CHECK (io_test_count_entries (dir) == 1, "a temporary file was left");

  /* Renaming onto a folder fails: the folder stays, no temporary file remains. */
  char *sub = io_test_path (dir, "sub");
  mkdir (sub, 0755);
  char *inner = io_test_path (sub, "x");
  io_test_write (inner, "keep", 4);
  CHECK (ae_file_write_atomic (sub, "data", 4, &err) == AE_ERR_IO, "rename onto a folder");
  CHECK_NAMES (err, sub);
  CHECK (io_test_count_entries (dir) == 2, "entries after a failed write: %d",
         io_test_count_entries (dir));
  got = io_test_read (inner, &len);
  CHECK (got != NULL && len == 4 && memcmp (got, "keep", 4) == 0, "folder content changed");
  free (got);

  /* A folder that does not exist. */
  char *nowhere = io_test_path (dir, "no/such/file");
  CHECK (ae_file_write_atomic (nowhere, "x", 1, &err) == AE_ERR_IO, "write into a missing folder");
  CHECK_NAMES (err, nowhere);
  free (nowhere);
  free (inner);
  free (sub);
  free (path);
  io_test_rmdir (dir);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/file/read-raw-and-gzip", test_read_raw_and_gzip },
    { "/file/gzip-truncated-and-corrupt", test_gzip_truncated_and_corrupt },
    { "/file/gzip-bomb-bounded", test_gzip_bomb_bounded },
    { "/file/read-errors-name-the-path", test_read_errors_name_the_path },
    { "/file/fifo-refused-at-once", test_fifo_refused_at_once },
    { "/file/atomic-write-replaces", test_atomic_write_replaces },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
