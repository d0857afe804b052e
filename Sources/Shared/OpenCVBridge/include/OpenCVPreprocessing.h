#ifndef OPENCV_PREPROCESSING_H
#define OPENCV_PREPROCESSING_H
#include <stddef.h>
#include <stdint.h>
#include "OpenCVBridge.h"

#ifdef __cplusplus
extern "C" {
#endif

/// cv::calcOpticalFlowFarneback from `prev` to `next` (both 1-channel 8-bit, same size).
/// `flow` receives rows*cols*2 floats (u, v interleaved, pixels). Returns 0 on success.
int cvbl_flow_farneback(const CVBImage *prev, const CVBImage *next, double pyr_scale, int levels,
                       int winsize, int iterations, int poly_n, double poly_sigma, int gaussian_window,
                       float *flow);

/// cv::optflow::DualTVL1OpticalFlow (opencv_contrib) with its defaults except the given ones.
/// Returns 0 on success, -2 when this OpenCV build has no TV-L1.
int cvbl_flow_tvl1(const CVBImage *prev, const CVBImage *next, double tau, double lambda, double theta,
                  int scales, int warps, float *flow);

/// cv::resize of a float image with `channels` interleaved channels (1..4).
int cvbl_resize_f32(const float *in, int32_t rows, int32_t cols, int32_t channels,
                   int32_t out_rows, int32_t out_cols, int interpolation, float *out);

/// A loaded cv::CascadeClassifier. Opaque; use from one thread at a time.
typedef struct CVBCascade CVBCascade;
CVBCascade *cvbl_cascade_open(const char *path);
/// detectMultiScale on a 1-channel 8-bit image; writes up to max_faces boxes as (x, y, w, h).
/// Returns the number of faces found (may exceed max_faces), or -1 on error.
int cvbl_cascade_detect(CVBCascade *cascade, const CVBImage *gray, double scale_factor, int min_neighbors,
                       int min_size, int32_t *boxes, int max_faces);
void cvbl_cascade_close(CVBCascade *cascade);

/// dlib's 68-point shape predictor (shape_predictor_68_face_landmarks.dat). Opaque; its
/// prediction is read-only, so one instance serves every thread.
typedef struct CVBShapePredictor CVBShapePredictor;
CVBShapePredictor *cvbl_shape_predictor_open(const char *path);
/// Predicts the 68 points inside box (left, top, right, bottom, inclusive) of a 1-channel image;
/// `points` receives 136 floats (x, y per point). Returns 0 on success.
int cvbl_shape_predict(const CVBShapePredictor *predictor, const CVBImage *gray, int32_t left, int32_t top,
                      int32_t right, int32_t bottom, float *points);
void cvbl_shape_predictor_close(CVBShapePredictor *predictor);

/// dlib's HOG frontal face detector (each thread keeps its own). Writes up to max_faces boxes
/// (left, top, right, bottom), best first; returns the count found, or -1 on error.
int cvbl_hog_detect_faces(const CVBImage *gray, int upsample, int32_t *boxes, int max_faces);

#ifdef __cplusplus
}
#endif
#endif
