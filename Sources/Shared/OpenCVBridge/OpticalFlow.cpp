// Optical flow and float resizing for the preprocessing pipeline (see OpenCVPreprocessing.h).
#include "OpenCVPreprocessing.h"
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>
#include <opencv2/optflow.hpp>
#include <cstring>

static cv::Mat gray_view(const CVBImage *image) {
    return cv::Mat(image->rows, image->cols, CV_8UC1, image->data);
}

static int copy_flow(const cv::Mat &flow, float *out) {
    cv::Mat f = flow.isContinuous() ? flow : flow.clone();
    if (f.type() != CV_32FC2) return -1;
    std::memcpy(out, f.data, sizeof(float) * 2 * f.rows * f.cols);
    return 0;
}

extern "C" int cvbl_flow_farneback(const CVBImage *prev, const CVBImage *next, double pyr_scale, int levels,
                                  int winsize, int iterations, int poly_n, double poly_sigma,
                                  int gaussian_window, float *flow) {
    try {
        if (prev->channels != 1 || next->channels != 1 || prev->rows != next->rows || prev->cols != next->cols)
            return -1;
        cv::Mat f;
        cv::calcOpticalFlowFarneback(gray_view(prev), gray_view(next), f, pyr_scale, levels, winsize,
                                     iterations, poly_n, poly_sigma,
                                     gaussian_window ? cv::OPTFLOW_FARNEBACK_GAUSSIAN : 0);
        return copy_flow(f, flow);
    } catch (...) {
        return -1;
    }
}

extern "C" int cvbl_flow_tvl1(const CVBImage *prev, const CVBImage *next, double tau, double lambda,
                             double theta, int scales, int warps, float *flow) {
    try {
        if (prev->channels != 1 || next->channels != 1 || prev->rows != next->rows || prev->cols != next->cols)
            return -1;
        auto tvl1 = cv::optflow::DualTVL1OpticalFlow::create(tau, lambda, theta, scales, warps);
        cv::Mat f;
        tvl1->calc(gray_view(prev), gray_view(next), f);
        return copy_flow(f, flow);
    } catch (...) {
        return -1;
    }
}

extern "C" int cvbl_resize_f32(const float *in, int32_t rows, int32_t cols, int32_t channels,
                              int32_t out_rows, int32_t out_cols, int interpolation, float *out) {
    try {
        if (channels < 1 || channels > 4) return -1;
        cv::Mat source(rows, cols, CV_32FC(channels), const_cast<float *>(in));
        cv::Mat target(out_rows, out_cols, CV_32FC(channels), out);
        cv::resize(source, target, cv::Size(out_cols, out_rows), 0, 0, interpolation);
        if (target.data != reinterpret_cast<uchar *>(out)) return -1;
        return 0;
    } catch (...) {
        return -1;
    }
}
