#include "OpenCVBridge.h"
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <cstdlib>
#include <cstring>

static int copy_out(const cv::Mat &m, CVBImage *out) {
    cv::Mat c = m.isContinuous() ? m : m.clone();
    out->rows = c.rows;
    out->cols = c.cols;
    out->channels = c.channels();
    size_t n = (size_t)c.rows * c.cols * c.channels();
    out->data = (uint8_t *)std::malloc(n > 0 ? n : 1);
    if (!out->data) return -1;
    std::memcpy(out->data, c.data, n);
    return 0;
}

static cv::Mat view_of(const CVBImage *image) {
    int type = image->channels == 1 ? CV_8UC1 : (image->channels == 3 ? CV_8UC3 : CV_8UC4);
    return cv::Mat(image->rows, image->cols, type, image->data);
}

extern "C" int cvbl_imread(const char *path, int grayscale, CVBImage *out) {
    try {
        cv::Mat m = cv::imread(path, grayscale ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
        if (m.empty() || m.depth() != CV_8U) return -1;
        return copy_out(m, out);
    } catch (...) {
        return -1;
    }
}

extern "C" int cvbl_imdecode(const uint8_t *bytes, size_t count, int grayscale, CVBImage *out) {
    try {
        if (count == 0) return -1;
        cv::Mat encoded(1, (int)count, CV_8UC1, (void *)bytes);
        cv::Mat m = cv::imdecode(encoded, grayscale ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
        if (m.empty() || m.depth() != CV_8U) return -1;
        return copy_out(m, out);
    } catch (...) {
        return -1;
    }
}

extern "C" int cvbl_imwrite(const char *path, const CVBImage *image) {
    try {
        return cv::imwrite(path, view_of(image)) ? 0 : -1;
    } catch (...) {
        return -1;
    }
}

extern "C" int cvbl_resize(const CVBImage *in, int32_t rows, int32_t cols, int interpolation, CVBImage *out) {
    try {
        cv::Mat r;
        cv::resize(view_of(in), r, cv::Size(cols, rows), 0, 0, interpolation);
        return copy_out(r, out);
    } catch (...) {
        return -1;
    }
}

extern "C" void cvbl_image_free(CVBImage *image) {
    std::free(image->data);
    image->data = nullptr;
}

extern "C" const char *cvbl_version(void) { return CV_VERSION; }
