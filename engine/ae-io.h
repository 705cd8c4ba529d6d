/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ae-io.h: file formats. Every reader validates sizes against the file and the limits
 * in ae-status.h before it allocates, and names the file in its messages. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ae-dataset.h"
#include "ae-status.h"

/* Reads a whole file into memory, inflating it when it is gzip-compressed (by magic,
 * not by name). max_bytes bounds the inflated size. *out is malloc'ed. */
AeStatus ae_file_read_all (const char *path, size_t max_bytes, uint8_t **out, size_t *len,
                           AeError *err);
/* The first bytes of a file, inflated when it is gzip-compressed: up to want bytes into out
 * (fewer when the file is shorter), without reading or inflating the rest. For checking
 * what a header declares before the whole file is read. */
AeStatus ae_file_read_head (const char *path, uint8_t *out, size_t want, size_t *len,
                            AeError *err);
/* Inflates a gzip buffer held in memory (the embedded digits). */
AeStatus ae_gunzip_memory (const uint8_t *in, size_t in_len, size_t max_bytes, uint8_t **out,
                           size_t *out_len, const char *name, AeError *err);

/* Writes len bytes atomically: a temporary file beside path, fsync, then rename, so that
 * a crash leaves either the old file or the new one, never a mix. The temporary file has no
 * name while it is written (O_TMPFILE) where the file system allows, so a kill leaves none
 * behind. A replaced file keeps its permission bits; a write-protected one is refused; a
 * symbolic link is followed (the file it points to is replaced, the link stays). */
AeStatus ae_file_write_atomic (const char *path, const void *data, size_t len, AeError *err);
/* What ae_file_write_atomic would refuse, found before there is anything to write: an empty
 * or too long name (AE_ERR_INVALID), a folder, a special or write-protected file, a link to
 * nothing, a folder that is missing or not writable (AE_ERR_IO). */
AeStatus ae_file_check_writable (const char *path, AeError *err);

/* IDX (the MNIST format). Images (magic 0x803, ubyte) become floats in [0, 1]. */
AeStatus ae_idx_load_images (AeDataset **out, const char *path, AeError *err);
/* The sizes an images file's header declares, checked against the limits, without
 * reading (or inflating) the rest of the file. */
AeStatus ae_idx_peek_images (const char *path, long *n, int *rows, int *cols, AeError *err);
/* Labels (magic 0x801, ubyte) into an existing dataset; the count must match. */
AeStatus ae_idx_load_labels (AeDataset *ds, const char *path, AeError *err);
/* The same, from bytes in memory; name is used in messages. */
AeStatus ae_idx_parse_images (AeDataset **out, const uint8_t *buf, size_t len, const char *name,
                              AeError *err);
AeStatus ae_idx_parse_labels (AeDataset *ds, const uint8_t *buf, size_t len, const char *name,
                              AeError *err);

/* PNG through libpng, with its user limits set before anything is allocated. Any colour
 * type, bit depth or interlacing is read into planar (channels, height, width) floats in
 * [0, 1]: want_channels 1 gives grey (Rec. 601 luma), 3 gives RGB, 0 keeps the file's kind
 * (1 for grey files and palettes of greys, 3 otherwise). Transparent pixels are composited
 * onto the file's background colour (bKGD), or white; 16-bit samples keep their precision. */
AeStatus ae_png_read_memory (const uint8_t *buf, size_t len, const char *name, int want_channels,
                             float **pixels, int *width, int *height, int *channels, AeError *err);
/* Grey, as above with want_channels 1. */
AeStatus ae_png_read_gray (const char *path, float **pixels, int *width, int *height,
                           AeError *err);
AeStatus ae_png_read_gray_memory (const uint8_t *buf, size_t len, const char *name,
                                  float **pixels, int *width, int *height, AeError *err);
/* Writes grey pixels in [0, 1] (clamped) as an 8-bit greyscale PNG, atomically. */
AeStatus ae_png_write_gray (const char *path, const float *pixels, int width, int height,
                            AeError *err);
/* Writes 8-bit RGB(A) pixels, row-major, atomically (channels 3 or 4). */
AeStatus ae_png_write_rgb (const char *path, const uint8_t *pixels, int width, int height,
                           int channels, AeError *err);
/* Writes planar (channels, height, width) pixels in [0, 1] (clamped), channels 1 or 3, as
 * an 8-bit grey or RGB PNG, atomically. */
AeStatus ae_png_write_planar (const char *path, const float *pixels, int width, int height,
                              int channels, AeError *err);

/* JPEG through libjpeg-turbo, into planar floats as ae_png_read_memory (grey files are
 * kind 1, colour and CMYK files kind 3). A file that ends early is refused. */
int      ae_jpeg_signature (const uint8_t *buf, size_t len);
AeStatus ae_jpeg_read_memory (const uint8_t *buf, size_t len, const char *name, int want_channels,
                              float **pixels, int *width, int *height, int *channels, AeError *err);
/* The size and kind from the header alone. */
AeStatus ae_jpeg_probe_memory (const uint8_t *buf, size_t len, const char *name, int *width,
                               int *height, int *channels, AeError *err);

/* A PNG or a JPEG, told apart by the first bytes, as ae_png_read_memory. */
AeStatus ae_image_read (const char *path, int want_channels, float **pixels, int *width,
                        int *height, int *channels, AeError *err);
AeStatus ae_image_read_memory (const uint8_t *buf, size_t len, const char *name, int want_channels,
                               float **pixels, int *width, int *height, int *channels,
                               AeError *err);
/* Size and kind (1 grey, 3 colour) from the file's header. */
AeStatus ae_image_probe (const char *path, int *width, int *height, int *channels, AeError *err);
/* Whether a file name is an image's (.png, .jpg, .jpeg, any case; not hidden). */
int      ae_image_name_is_image (const char *name);
/* The centred square of planar src (its short side) resized to side x side into dst
 * (channels, side, side): area averaging when shrinking, bilinear when enlarging. */
AeStatus ae_image_square (float *dst, int side, const float *src, int width, int height,
                          int channels, AeError *err);

/* A folder of PNG and JPEG files (sub-folders are classes named after them). Other files
 * are skipped and counted in ds->note, as is resizing. options may be NULL. */
AeStatus ae_image_folder_load (AeDataset **out, const char *dir, const AeImageOptions *options,
                               AeError *err);
/* One image cut into side x side patches with the given stride (for denoising). */
AeStatus ae_image_patches_load (AeDataset **out, const char *path, const AeImageOptions *options,
                                int side, int stride, AeError *err);

/* count random side x side patches of the image at path, or of every PNG and JPEG of the
 * folder at path (not its sub-folders), in channels 1 or 3 (0: colour when any image is):
 * each patch position of each image equally likely, so larger images give more patches;
 * images smaller than a patch give none. Images are read one at a time, so a folder of
 * large photos needs the memory of one. The split (a tenth test, a tenth of the rest
 * validation) is drawn from seed, as are the positions. */
AeStatus ae_image_random_patches_load (AeDataset **out, const char *path, int channels, int side,
                                       long count, uint64_t seed, AeError *err);

/* CSV: each row a sample of numbers; an optional header row; an optional label column
 * (named "label" or "class" in the header). Values are min-max scaled to [0, 1] per file
 * and the scale is kept so that results can be reported in the file's units. */
AeStatus ae_csv_load (AeDataset **out, const char *path, AeError *err);

/* NumPy .npy (see ae-npy.c): N x H x W, N x C x H x W, N x H x W x C or N x D of uint8 or float in [0, 1];
 * labels from X-labels.npy beside X.npy, or labels.npy in the same folder. */
AeStatus ae_npy_load (AeDataset **out, const char *path, AeError *err);

/* Named float32 tensors, for model files and safetensors export. */
#define AE_TENSOR_NAME_MAX 64
#define AE_TENSOR_RANK_MAX 4
typedef struct {
  char name[AE_TENSOR_NAME_MAX];
  int rank;
  int shape[AE_TENSOR_RANK_MAX];
  float *data; /* owned by whoever filled the struct */
} AeTensor;

size_t ae_tensor_numel (const AeTensor *t);

/* Latent Lab model files: a magic line and version, the configuration as text, then named
 * tensors with shapes, then a CRC-32 of everything before it. Written atomically. */
AeStatus ae_modelfile_write (const char *path, const char *config_text, const AeTensor *tensors,
                             int n_tensors, AeError *err);
/* On success *config_text and every tensors[i].data are malloc'ed; free with
 * ae_modelfile_free_tensors. */
AeStatus ae_modelfile_read (const char *path, char **config_text, AeTensor **tensors,
                            int *n_tensors, AeError *err);
AeStatus ae_modelfile_parse (const uint8_t *buf, size_t len, const char *name, char **config_text,
                             AeTensor **tensors, int *n_tensors, AeError *err);
void     ae_modelfile_free_tensors (AeTensor *tensors, int n_tensors);

/* safetensors (header length, JSON header, raw little-endian F32 data), loadable by
 * PyTorch's safetensors. metadata: NULL, or "key", "value", ... pairs ended by NULL, kept as
 * strings in "__metadata__" beside "format": "pt". */
AeStatus ae_safetensors_write (const char *path, const char *const *metadata,
                               const AeTensor *tensors, int n_tensors, AeError *err);
AeStatus ae_safetensors_parse (const uint8_t *buf, size_t len, const char *name,
                               AeTensor **tensors, int *n_tensors, AeError *err);
/* The same, also giving the metadata string under meta_key in *meta_value (malloc'ed, or
 * NULL when the file has none); free the tensors with ae_modelfile_free_tensors. */
AeStatus ae_safetensors_parse_metadata (const uint8_t *buf, size_t len, const char *name,
                                        const char *meta_key, char **meta_value,
                                        AeTensor **tensors, int *n_tensors, AeError *err);
