#define _GNU_SOURCE
#include "OpenCVRuntime.h"
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *bridge;
static char failure[1024];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load_bridge(void) {
    const char *name = "libLOSOOpenCVBridge.so";
    const char *override = getenv("LOSO_OPENCV_BRIDGE");
    if (override && *override) {
        bridge = dlopen(override, RTLD_NOW | RTLD_LOCAL);
        if (!bridge) snprintf(failure, sizeof failure, "LOSO_OPENCV_BRIDGE=%s: %s", override, dlerror());
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char beside[PATH_MAX + 64] = "";
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) { *slash = 0; snprintf(beside, sizeof beside, "%s/%s", exe, name); }
    }
    if (beside[0] && access(beside, F_OK) == 0) {
        bridge = dlopen(beside, RTLD_NOW | RTLD_LOCAL);
        if (!bridge) snprintf(failure, sizeof failure, "%s: %s", beside, dlerror());
        return;
    }
    bridge = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!bridge) snprintf(failure, sizeof failure, "%s (not beside the executable%s%s): %s", name,
                          beside[0] ? ", " : "", beside, dlerror());
}

int cvb_runtime_load(char *why, size_t capacity) {
    pthread_once(&once, load_bridge);
    if (bridge) return 0;
    if (why && capacity) snprintf(why, capacity, "%s", failure);
    return -1;
}

/// The twin's address, or NULL after saying once why the library is unavailable.
static void *resolve(const char *symbol) {
    static int told;
    pthread_once(&once, load_bridge);
    void *f = bridge ? dlsym(bridge, symbol) : NULL;
    if (!f && !__atomic_exchange_n(&told, 1, __ATOMIC_SEQ_CST)) {
        fprintf(stderr, "OpenCV is not available to this program (needed for image files and preprocessing): %s\n",
                bridge ? dlerror() : failure);
    }
    return f;
}

int cvb_imread(const char *path, int grayscale, CVBImage *out) {
    void *f = resolve("cvbl_imread");
    if (!f) return -1;
    return ((int (*)(const char *path, int grayscale, CVBImage *out))f)(path, grayscale, out);
}

int cvb_imdecode(const uint8_t *bytes, size_t count, int grayscale, CVBImage *out) {
    void *f = resolve("cvbl_imdecode");
    if (!f) return -1;
    return ((int (*)(const uint8_t *bytes, size_t count, int grayscale, CVBImage *out))f)(bytes, count, grayscale, out);
}

int cvb_imwrite(const char *path, const CVBImage *image) {
    void *f = resolve("cvbl_imwrite");
    if (!f) return -1;
    return ((int (*)(const char *path, const CVBImage *image))f)(path, image);
}

int cvb_resize(const CVBImage *in, int32_t rows, int32_t cols, int interpolation, CVBImage *out) {
    void *f = resolve("cvbl_resize");
    if (!f) return -1;
    return ((int (*)(const CVBImage *in, int32_t rows, int32_t cols, int interpolation, CVBImage *out))f)(in, rows, cols, interpolation, out);
}

void cvb_image_free(CVBImage *image) {
    void *f = resolve("cvbl_image_free");
    if (!f) return;
    ((void (*)(CVBImage *image))f)(image);
}

const char * cvb_version(void) {
    void *f = resolve("cvbl_version");
    if (!f) return NULL;
    return ((const char * (*)(void))f)();
}

int cvb_flow_farneback(const CVBImage *prev, const CVBImage *next, double pyr_scale, int levels, int winsize, int iterations, int poly_n, double poly_sigma, int gaussian_window, float *flow) {
    void *f = resolve("cvbl_flow_farneback");
    if (!f) return -1;
    return ((int (*)(const CVBImage *prev, const CVBImage *next, double pyr_scale, int levels, int winsize, int iterations, int poly_n, double poly_sigma, int gaussian_window, float *flow))f)(prev, next, pyr_scale, levels, winsize, iterations, poly_n, poly_sigma, gaussian_window, flow);
}

int cvb_flow_tvl1(const CVBImage *prev, const CVBImage *next, double tau, double lambda, double theta, int scales, int warps, float *flow) {
    void *f = resolve("cvbl_flow_tvl1");
    if (!f) return -1;
    return ((int (*)(const CVBImage *prev, const CVBImage *next, double tau, double lambda, double theta, int scales, int warps, float *flow))f)(prev, next, tau, lambda, theta, scales, warps, flow);
}

int cvb_resize_f32(const float *in, int32_t rows, int32_t cols, int32_t channels, int32_t out_rows, int32_t out_cols, int interpolation, float *out) {
    void *f = resolve("cvbl_resize_f32");
    if (!f) return -1;
    return ((int (*)(const float *in, int32_t rows, int32_t cols, int32_t channels, int32_t out_rows, int32_t out_cols, int interpolation, float *out))f)(in, rows, cols, channels, out_rows, out_cols, interpolation, out);
}

CVBCascade * cvb_cascade_open(const char *path) {
    void *f = resolve("cvbl_cascade_open");
    if (!f) return NULL;
    return ((CVBCascade * (*)(const char *path))f)(path);
}

int cvb_cascade_detect(CVBCascade *cascade, const CVBImage *gray, double scale_factor, int min_neighbors, int min_size, int32_t *boxes, int max_faces) {
    void *f = resolve("cvbl_cascade_detect");
    if (!f) return -1;
    return ((int (*)(CVBCascade *cascade, const CVBImage *gray, double scale_factor, int min_neighbors, int min_size, int32_t *boxes, int max_faces))f)(cascade, gray, scale_factor, min_neighbors, min_size, boxes, max_faces);
}

void cvb_cascade_close(CVBCascade *cascade) {
    void *f = resolve("cvbl_cascade_close");
    if (!f) return;
    ((void (*)(CVBCascade *cascade))f)(cascade);
}

CVBShapePredictor * cvb_shape_predictor_open(const char *path) {
    void *f = resolve("cvbl_shape_predictor_open");
    if (!f) return NULL;
    return ((CVBShapePredictor * (*)(const char *path))f)(path);
}

int cvb_shape_predict(const CVBShapePredictor *predictor, const CVBImage *gray, int32_t left, int32_t top, int32_t right, int32_t bottom, float *points) {
    void *f = resolve("cvbl_shape_predict");
    if (!f) return -1;
    return ((int (*)(const CVBShapePredictor *predictor, const CVBImage *gray, int32_t left, int32_t top, int32_t right, int32_t bottom, float *points))f)(predictor, gray, left, top, right, bottom, points);
}

void cvb_shape_predictor_close(CVBShapePredictor *predictor) {
    void *f = resolve("cvbl_shape_predictor_close");
    if (!f) return;
    ((void (*)(CVBShapePredictor *predictor))f)(predictor);
}

int cvb_hog_detect_faces(const CVBImage *gray, int upsample, int32_t *boxes, int max_faces) {
    void *f = resolve("cvbl_hog_detect_faces");
    if (!f) return -1;
    return ((int (*)(const CVBImage *gray, int upsample, int32_t *boxes, int max_faces))f)(gray, upsample, boxes, max_faces);
}
