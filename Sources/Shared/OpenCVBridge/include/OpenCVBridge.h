#ifndef OPENCV_BRIDGE_H
#define OPENCV_BRIDGE_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An 8-bit image as OpenCV holds it: rows x cols x channels, channel fastest, BGR order.
typedef struct {
    int32_t rows;
    int32_t cols;
    int32_t channels;
    uint8_t *data; /* malloc'd; free with cvbl_image_free */
} CVBImage;

/// Reads an image with cv::imread(IMREAD_COLOR) (or IMREAD_GRAYSCALE when grayscale != 0).
/// Returns 0 on success, -1 when OpenCV cannot read the file.
int cvbl_imread(const char *path, int grayscale, CVBImage *out);

/// Decodes an encoded image (PNG, JPEG, ...) held in memory with cv::imdecode, same flags and
/// result as cvbl_imread. Lets a caller hash and decode the very same bytes.
int cvbl_imdecode(const uint8_t *bytes, size_t count, int grayscale, CVBImage *out);

/// Writes an image with cv::imwrite (format from the extension). Returns 0 on success.
int cvbl_imwrite(const char *path, const CVBImage *image);

/// Resizes with cv::resize; interpolation is an OpenCV flag (INTER_AREA = 3, INTER_LINEAR = 1).
int cvbl_resize(const CVBImage *in, int32_t rows, int32_t cols, int interpolation, CVBImage *out);

void cvbl_image_free(CVBImage *image);

/// OpenCV's version string, e.g. "4.6.0".
const char *cvbl_version(void);

#ifdef __cplusplus
}
#endif

/* Preprocessing calls (optical flow, face boxes, landmarks); this header is the module's umbrella. */
#include "OpenCVPreprocessing.h"
#endif
