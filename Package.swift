// swift-tools-version:5.9
import PackageDescription

// System libraries come from Debian (see scripts/setup): OpenMPI, OpenBLAS, zstd, OpenCV.
let shared = "Sources/Shared"

let package = Package(
    name: "LOSOTrainer",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "coordinator", targets: ["Coordinator"]),
        .executable(name: "worker", targets: ["Worker"]),
        // The engine alone, for tools and benchmarks that embed it.
        .library(name: "HTNetEngine", targets: ["Tensor", "HTNet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // System-library shims.
        .systemLibrary(name: "CMPI", path: "\(shared)/CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(name: "COpenBLAS", path: "\(shared)/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZstd", path: "\(shared)/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        // A small extern "C" bridge over the few OpenCV calls we need (image I/O, flow, faces).
        .target(name: "OpenCVBridge", path: "\(shared)/OpenCVBridge",
                cxxSettings: [.unsafeFlags(["-I/usr/include/opencv4", "-O2"])],  // -O2: dlib is unusably slow at -O0
                linkerSettings: [
                    .linkedLibrary("opencv_core"), .linkedLibrary("opencv_imgproc"),
                    .linkedLibrary("opencv_imgcodecs"), .linkedLibrary("opencv_video"),
                    .linkedLibrary("opencv_objdetect"), .linkedLibrary("stdc++"),
                    // Preprocessing: TV-L1 (opencv_contrib) and dlib's landmarks (dlib's headers call BLAS/LAPACK).
                    .linkedLibrary("opencv_optflow"), .linkedLibrary("dlib"),
                    .linkedLibrary("blas"), .linkedLibrary("lapack"),
                ]),

        // Elementwise kernels built per ISA level (AVX-512 / AVX2 / baseline), chosen at load time.
        .target(name: "CKernels", path: "\(shared)/CKernels", cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]),

        // Library modules, one concern each.
        .target(name: "Tensor", dependencies: ["COpenBLAS"], path: "\(shared)/Tensor",
                swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        .target(name: "HTNet", dependencies: ["Tensor", "CKernels"], path: "\(shared)/HTNet",
                swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        .target(name: "Dataset", dependencies: ["Tensor", "CZstd", "OpenCVBridge"],
                path: "\(shared)/Dataset"),
        .target(name: "Evaluation", dependencies: ["Tensor", "HTNet"], path: "\(shared)/Evaluation"),
        .target(name: "Cluster", dependencies: ["CMPI", "CZstd", "Tensor", "HTNet", "Dataset",
                                                "Evaluation", .product(name: "Yams", package: "Yams")],
                path: "\(shared)/Cluster"),

        // Executables.
        .executableTarget(name: "Coordinator",
                          dependencies: ["Tensor", "HTNet", "Dataset", "Evaluation", "Cluster",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Coordinator"),
        .executableTarget(name: "Worker",
                          dependencies: ["Tensor", "HTNet", "Dataset", "Cluster",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Worker"),

        // Tests; TestSupport locates ../shared and makes temporary folders for several of them.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"], path: "Tests/TensorTests"),
        .testTarget(name: "HTNetTests", dependencies: ["TestSupport", "HTNet", "Tensor"], path: "Tests/HTNetTests"),
        .testTarget(name: "DatasetTests", dependencies: ["TestSupport", "Dataset", "Tensor"], path: "Tests/DatasetTests"),
        .testTarget(name: "PreprocessingTests", dependencies: ["TestSupport", "Dataset", "Tensor"], path: "Tests/PreprocessingTests"),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation"], path: "Tests/EvaluationTests"),
        .testTarget(name: "ClusterTests", dependencies: ["Cluster", "HTNet", "Dataset", "Evaluation"],
                    path: "Tests/ClusterTests"),
    ]
)
