/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hostile destinations and files for the engine's writers and readers (issue 16): each case
 * is something a careful user or a shared file did that once lost work or misread data. */
#include <sys/stat.h>
#include <unistd.h>

#include "ae-test.h"
#include "io-test-util.h"

static AeError err;

/* A replaced file keeps its permission bits: a private (0600) model stayed private only
 * until the next save, which made it 0644. */
static void
test_save_keeps_mode (void)
{
  char *dir = io_test_mkdtemp ();
  char *path = io_test_path (dir, "private.llm");
  io_test_write (path, "old", 3);
  chmod (path, 0600);
  CHECK (ae_file_write_atomic (path, "new", 3, &err) == AE_OK, "%s", err.message);
  struct stat st;
  CHECK (stat (path, &st) == 0 && (st.st_mode & 07777) == 0600, "mode %o after the save",
         (unsigned) (st.st_mode & 07777));
  chmod (path, 0640);
  CHECK (ae_file_write_atomic (path, "newer", 5, &err) == AE_OK, "%s", err.message);
  CHECK (stat (path, &st) == 0 && (st.st_mode & 07777) == 0640, "mode %o after the save",
         (unsigned) (st.st_mode & 07777));
  free (path);
  io_test_rmdir (dir);
}

/* The rule (README): a symbolic link is followed; the file it points to is replaced and the
 * link stays a link. A link to nothing is refused, naming the link. */
static void
test_save_follows_symlink (void)
{
  char *dir = io_test_mkdtemp ();
  char *target = io_test_path (dir, "real.llm");
  char *link = io_test_path (dir, "link.llm");
  io_test_write (target, "old", 3);
  CHECK (symlink ("real.llm", link) == 0, "symlink");
  CHECK (ae_file_write_atomic (link, "new content", 11, &err) == AE_OK, "%s", err.message);
  struct stat st;
  CHECK (lstat (link, &st) == 0 && S_ISLNK (st.st_mode), "the link was replaced by a file");
  size_t len;
  uint8_t *got = io_test_read (target, &len);
  CHECK (got != NULL && len == 11 && memcmp (got, "new content", 11) == 0,
         "the file the link points to holds the new content (%zu bytes)", len);
  free (got);
  CHECK (io_test_count_entries (dir) == 2, "%d entries: a temporary file was left",
         io_test_count_entries (dir));

  char *dangling = io_test_path (dir, "dangling.llm");
  CHECK (symlink ("no-such-file", dangling) == 0, "symlink");
  CHECK (ae_file_write_atomic (dangling, "x", 1, &err) == AE_ERR_IO, "a link to nothing");
  CHECK_NAMES (err, dangling);
  CHECK (lstat (dangling, &st) == 0 && S_ISLNK (st.st_mode), "the dangling link stays");
  free (dangling);
  free (link);
  free (target);
  io_test_rmdir (dir);
}

/* A write-protected file was replaced silently (rename only asks the folder). */
static void
test_save_refuses_write_protected (void)
{
  char *dir = io_test_mkdtemp ();
  char *path = io_test_path (dir, "keep.llm");
  io_test_write (path, "precious", 8);
  chmod (path, 0444);
  CHECK (ae_file_write_atomic (path, "x", 1, &err) == AE_ERR_IO, "a write-protected file");
  CHECK_NAMES (err, path);
  CHECK (strstr (err.message, "write-protected") != NULL, "%s", err.message);
  size_t len;
  uint8_t *got = io_test_read (path, &len);
  CHECK (got != NULL && len == 8 && memcmp (got, "precious", 8) == 0, "the file was changed");
  free (got);
  CHECK (io_test_count_entries (dir) == 1, "a temporary file was left");
  free (path);
  io_test_rmdir (dir);
}

/* Names: empty, a folder, too long, a FIFO; all found by the check, before anything is
 * written (`train --save` checks first, then trains for hours). A 250-byte name is legal:
 * the temporary name's suffix once made it fail. */
static void
test_save_destinations_checked (void)
{
  char *dir = io_test_mkdtemp ();
  CHECK (ae_file_check_writable ("", &err) == AE_ERR_INVALID, "an empty name");
  CHECK (ae_file_check_writable (dir, &err) == AE_ERR_IO, "a folder");
  CHECK_NAMES (err, dir);
  char name[300];
  memset (name, 'n', 250);
  name[250] = '\0';
  char *long_ok = io_test_path (dir, name);
  CHECK (ae_file_check_writable (long_ok, &err) == AE_OK, "%s", err.message);
  CHECK (ae_file_write_atomic (long_ok, "data", 4, &err) == AE_OK, "%s", err.message);
  CHECK (io_test_count_entries (dir) == 1, "%d entries after saving a 250-byte name",
         io_test_count_entries (dir));
  memset (name, 'n', 256);
  name[256] = '\0';
  char *too_long = io_test_path (dir, name);
  CHECK (ae_file_check_writable (too_long, &err) == AE_ERR_INVALID, "a 256-byte name");
  CHECK (ae_file_write_atomic (too_long, "x", 1, &err) == AE_ERR_INVALID, "a 256-byte name");
  char *fifo = io_test_path (dir, "pipe");
  CHECK (mkfifo (fifo, 0600) == 0, "mkfifo");
  CHECK (ae_file_check_writable (fifo, &err) == AE_ERR_IO, "a FIFO");
  CHECK (strstr (err.message, "FIFO") != NULL, "%s", err.message);
  struct stat st;
  CHECK (ae_file_write_atomic (fifo, "x", 1, &err) == AE_ERR_IO && lstat (fifo, &st) == 0
           && S_ISFIFO (st.st_mode), "a FIFO is not replaced by a file");
  char *missing = io_test_path (dir, "no/such/model.llm");
  CHECK (ae_file_check_writable (missing, &err) == AE_ERR_IO, "a missing folder");
  CHECK_NAMES (err, missing);
  free (missing);
  free (fifo);
  free (too_long);
  free (long_ok);
  io_test_rmdir (dir);
}

/* A safetensors file: the 8-byte header length, the header, then data_len bytes of data. */
static uint8_t *
safetensors_bytes (const char *header, size_t data_len, size_t *len)
{
  size_t hl = strlen (header);
  *len = 8 + hl + data_len;
  uint8_t *buf = calloc (1, *len);
  for (int i = 0; i < 8; i++)
    buf[i] = (uint8_t) ((uint64_t) hl >> (8 * i));
  memcpy (buf + 8, header, hl);
  return buf;
}

static AeStatus
parse_safetensors (const char *header, size_t data_len, int *n)
{
  size_t len;
  uint8_t *buf = safetensors_bytes (header, data_len, &len);
  AeTensor *tensors = NULL;
  *n = -1;
  AeStatus st = ae_safetensors_parse (buf, len, "hostile.safetensors", &tensors, n, &err);
  if (st == AE_OK)
    ae_modelfile_free_tensors (tensors, *n);
  free (buf);
  return st;
}

/* The empty header is a valid file of no tensors (PyTorch's safetensors writes it for an
 * empty dict); it was refused. */
static void
test_safetensors_empty_header (void)
{
  int n;
  CHECK (parse_safetensors ("{}", 0, &n) == AE_OK && n == 0, "status %d, %d tensors: %s",
         parse_safetensors ("{}", 0, &n), n, err.message);
  CHECK (parse_safetensors ("{\"__metadata__\":{\"a\":\"b\"}}", 0, &n) == AE_OK && n == 0, "%s",
         err.message);
  CHECK (parse_safetensors ("{}", 4, &n) == AE_ERR_FORMAT, "data that no tensor uses");
}

/* Ranges must tile the data: overlapping ones made 4,096 tensors of one 4 MB block ask for
 * 16 GB; a gap hides bytes that no tensor reads. */
static void
test_safetensors_ranges_tile (void)
{
  int n;
  CHECK (parse_safetensors ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                            "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12, &n)
           == AE_OK && n == 2, "two adjacent tensors: %s", err.message);
  CHECK (parse_safetensors ("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                            "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12, &n)
           == AE_OK && n == 2, "listed out of order: %s", err.message);
  CHECK (parse_safetensors ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                            "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, &n)
           == AE_ERR_FORMAT, "two tensors on the same bytes");
  CHECK (strstr (err.message, "overlap") != NULL, "%s", err.message);
  CHECK (parse_safetensors ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                            "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12, &n)
           == AE_ERR_FORMAT, "a gap between tensors");
  CHECK (strstr (err.message, "gap") != NULL, "%s", err.message);
  CHECK (parse_safetensors ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, &n)
           == AE_ERR_FORMAT, "a gap before the first tensor");

  /* The blow-up itself: 4,096 tensors of 1 MiB values on one block of 4 MiB. */
  size_t block = (size_t) 1 << 22;
  size_t header_cap = 4096 * 96 + 16, used = 0;
  char *header = malloc (header_cap);
  used += (size_t) snprintf (header + used, header_cap - used, "{");
  for (int i = 0; i < 4096; i++)
    used += (size_t) snprintf (header + used, header_cap - used,
                               "%s\"t%d\":{\"dtype\":\"F32\",\"shape\":[%zu],\"data_offsets\":[0,%zu]}",
                               i ? "," : "", i, block / 4, block);
  snprintf (header + used, header_cap - used, "}");
  CHECK (parse_safetensors (header, block, &n) == AE_ERR_FORMAT, "4,096 tensors on one block");
  CHECK_NAMES (err, "hostile.safetensors");
  free (header);
}

int
main (int argc, char **argv)
{
  static const AeTestCase cases[] = {
    { "/save/keeps-mode", test_save_keeps_mode },
    { "/save/follows-symlink", test_save_follows_symlink },
    { "/save/refuses-write-protected", test_save_refuses_write_protected },
    { "/save/destinations-checked", test_save_destinations_checked },
    { "/safetensors/empty-header", test_safetensors_empty_header },
    { "/safetensors/ranges-tile", test_safetensors_ranges_tile },
  };
  return ae_test_main (argc, argv, cases, AE_N_CASES (cases));
}
