#ifndef OPENCV_RUNTIME_H
#define OPENCV_RUNTIME_H
#include <stddef.h>
#include <stdint.h>

/// The OpenCV and dlib calls the Preprocessing module makes, resolved at run time from
/// libLOSOOpenCVBridge.so (the OpenCVBridge target built as a shared library) instead of linked in:
/// executables that never touch an image (the coordinator on a node without OpenCV, running from a
/// feature cache) then start without OpenCV, dlib or their GDAL/HDF5 closure installed.
/// Types and signatures mirror OpenCVBridge.h / OpenCVPreprocessing.h (there prefixed cvbl_);
/// keep them in step: each cvb_ function here passes its arguments straight to its cvbl_ twin.

/// An 8-bit image as OpenCV holds it: rows x cols x channels, channel fastest, BGR order.
typedef struct {
    int32_t rows;
    int32_t cols;
    int32_t channels;
    uint8_t *data; /* malloc'd; free with cvb_image_free */
} CVBImage;
typedef struct CVBCascade CVBCascade;
typedef struct CVBShapePredictor CVBShapePredictor;

/// Loads the bridge library once (later calls return the first outcome): 0 when loaded; otherwise -1
/// with the reason (which file, what the dynamic loader said) in `why`.
/// Where it looks: $LOSO_OPENCV_BRIDGE if set, else libLOSOOpenCVBridge.so beside the running executable,
/// else the dynamic loader's search path.
int cvb_runtime_load(char *why, size_t capacity);

/// Each function below loads the library on first use; when it cannot, it writes the reason to
/// standard error once and returns -1 (or NULL, or nothing), as the call itself would on failure.
int cvb_imread(const char *path, int grayscale, CVBImage *out);
int cvb_imdecode(const uint8_t *bytes, size_t count, int grayscale, CVBImage *out);
int cvb_imwrite(const char *path, const CVBImage *image);
int cvb_resize(const CVBImage *in, int32_t rows, int32_t cols, int interpolation, CVBImage *out);
void cvb_image_free(CVBImage *image);
const char * cvb_version(void);
int cvb_flow_farneback(const CVBImage *prev, const CVBImage *next, double pyr_scale, int levels, int winsize, int iterations, int poly_n, double poly_sigma, int gaussian_window, float *flow);
int cvb_flow_tvl1(const CVBImage *prev, const CVBImage *next, double tau, double lambda, double theta, int scales, int warps, float *flow);
int cvb_resize_f32(const float *in, int32_t rows, int32_t cols, int32_t channels, int32_t out_rows, int32_t out_cols, int interpolation, float *out);
CVBCascade * cvb_cascade_open(const char *path);
int cvb_cascade_detect(CVBCascade *cascade, const CVBImage *gray, double scale_factor, int min_neighbors, int min_size, int32_t *boxes, int max_faces);
void cvb_cascade_close(CVBCascade *cascade);
CVBShapePredictor * cvb_shape_predictor_open(const char *path);
int cvb_shape_predict(const CVBShapePredictor *predictor, const CVBImage *gray, int32_t left, int32_t top, int32_t right, int32_t bottom, float *points);
void cvb_shape_predictor_close(CVBShapePredictor *predictor);
int cvb_hog_detect_faces(const CVBImage *gray, int upsample, int32_t *boxes, int max_faces);

#endif
