// Face boxes (OpenCV cascades, dlib HOG) and dlib's 68-point landmarks (see OpenCVPreprocessing.h).
#include "OpenCVPreprocessing.h"
#include <opencv2/core.hpp>
#include <opencv2/objdetect.hpp>
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/opencv/cv_image.h>
#include <algorithm>
#include <cmath>
#include <vector>

struct CVBCascade {
    cv::CascadeClassifier classifier;
};

struct CVBShapePredictor {
    dlib::shape_predictor predictor;
};

static cv::Mat gray_view(const CVBImage *image) {
    return cv::Mat(image->rows, image->cols, CV_8UC1, image->data);
}

extern "C" CVBCascade *cvbl_cascade_open(const char *path) {
    try {
        auto *cascade = new CVBCascade();
        if (!cascade->classifier.load(path)) {
            delete cascade;
            return nullptr;
        }
        return cascade;
    } catch (...) {
        return nullptr;
    }
}

extern "C" int cvbl_cascade_detect(CVBCascade *cascade, const CVBImage *gray, double scale_factor,
                                  int min_neighbors, int min_size, int32_t *boxes, int max_faces) {
    try {
        if (gray->channels != 1) return -1;
        std::vector<cv::Rect> faces;
        cascade->classifier.detectMultiScale(gray_view(gray), faces, scale_factor, min_neighbors, 0,
                                             cv::Size(min_size, min_size));
        std::sort(faces.begin(), faces.end(), [](const cv::Rect &a, const cv::Rect &b) { return a.area() > b.area(); });
        for (int i = 0; i < (int)faces.size() && i < max_faces; i++) {
            boxes[4 * i] = faces[i].x;
            boxes[4 * i + 1] = faces[i].y;
            boxes[4 * i + 2] = faces[i].width;
            boxes[4 * i + 3] = faces[i].height;
        }
        return (int)faces.size();
    } catch (...) {
        return -1;
    }
}

extern "C" void cvbl_cascade_close(CVBCascade *cascade) { delete cascade; }

extern "C" CVBShapePredictor *cvbl_shape_predictor_open(const char *path) {
    try {
        auto *p = new CVBShapePredictor();
        dlib::deserialize(path) >> p->predictor;
        if (p->predictor.num_parts() != 68) {
            delete p;
            return nullptr;
        }
        return p;
    } catch (...) {
        return nullptr;
    }
}

extern "C" int cvbl_shape_predict(const CVBShapePredictor *predictor, const CVBImage *gray, int32_t left,
                                 int32_t top, int32_t right, int32_t bottom, float *points) {
    try {
        if (gray->channels != 1) return -1;
        cv::Mat view = gray_view(gray);
        dlib::cv_image<unsigned char> image(view);
        dlib::full_object_detection shape = predictor->predictor(image, dlib::rectangle(left, top, right, bottom));
        for (unsigned long i = 0; i < shape.num_parts(); i++) {
            points[2 * i] = (float)shape.part(i).x();
            points[2 * i + 1] = (float)shape.part(i).y();
        }
        return 0;
    } catch (...) {
        return -1;
    }
}

extern "C" void cvbl_shape_predictor_close(CVBShapePredictor *predictor) { delete predictor; }

extern "C" int cvbl_hog_detect_faces(const CVBImage *gray, int upsample, int32_t *boxes, int max_faces) {
    try {
        if (gray->channels != 1) return -1;
        thread_local dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
        cv::Mat view = gray_view(gray);
        dlib::cv_image<unsigned char> image(view);
        std::vector<std::pair<double, dlib::rectangle>> faces;
        if (upsample > 0) {
            dlib::array2d<unsigned char> larger;
            dlib::assign_image(larger, image);
            for (int i = 0; i < upsample; i++) dlib::pyramid_up(larger);
            std::vector<dlib::rect_detection> found;
            detector(larger, found);
            double scale = std::pow(2.0, upsample);
            for (auto &d : found) {
                auto r = d.rect;
                faces.push_back({d.detection_confidence,
                                 dlib::rectangle((long)(r.left() / scale), (long)(r.top() / scale),
                                                 (long)(r.right() / scale), (long)(r.bottom() / scale))});
            }
        } else {
            std::vector<dlib::rect_detection> found;
            detector(image, found);
            for (auto &d : found) faces.push_back({d.detection_confidence, d.rect});
        }
        std::sort(faces.begin(), faces.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
        for (int i = 0; i < (int)faces.size() && i < max_faces; i++) {
            boxes[4 * i] = (int32_t)faces[i].second.left();
            boxes[4 * i + 1] = (int32_t)faces[i].second.top();
            boxes[4 * i + 2] = (int32_t)faces[i].second.right();
            boxes[4 * i + 3] = (int32_t)faces[i].second.bottom();
        }
        return (int)faces.size();
    } catch (...) {
        return -1;
    }
}
