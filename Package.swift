// swift-tools-version:5.9
import PackageDescription

// System libraries come from Debian (cluster/setup.sh installs them): OpenMPI, OpenBLAS, zstd, OpenCV, dlib.
let shared = "Sources/Shared"

let package = Package(
    name: "LOSOTrainer",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "coordinator", targets: ["Coordinator"]),
        .executable(name: "worker", targets: ["Worker"]),
        // The OpenCV + dlib bridge as a shared library beside the executables, opened at run time
        // (OpenCVRuntime) only by commands that read images: nothing else needs OpenCV installed.
        .library(name: "LOSOOpenCVBridge", type: .dynamic, targets: ["OpenCVBridge"]),
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
        // A small extern "C" bridge over the few OpenCV calls we need (image I/O, flow, faces), built
        // into libLOSOOpenCVBridge.so; no Swift target links it.
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

        // Resolves the bridge's functions at run time (dlopen), so executables link no OpenCV.
        .target(name: "OpenCVRuntime", path: "\(shared)/OpenCVRuntime", linkerSettings: [.linkedLibrary("dl")]),
        // The git commit embedded at build time (-Xcc -DLOSO_GIT_COMMIT=...), read by SoftwareVersion.
        .target(name: "CBuildInfo", path: "\(shared)/CBuildInfo"),
        // The CUDA driver, cuBLAS and NVRTC, opened at run time (dlopen): no CUDA at build time, and
        // nothing but libdl on the link line of whatever uses it.
        .target(name: "CCUDA", path: "\(shared)/CCUDA", linkerSettings: [.linkedLibrary("dl")]),
        // Elementwise kernels built per ISA level (AVX-512 / AVX2 / baseline), chosen at load time.
        .target(name: "CKernels", path: "\(shared)/CKernels", cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]),

        // Library modules, one concern each, in the order the data flows:
        // engine (Tensor, HTNet) -> data core (Dataset) -> wire (Wire: what a worker needs) ->
        // coordination (Coordination: plans, journal, reports) -> executables.
        .target(name: "Tensor", dependencies: ["COpenBLAS"], path: "\(shared)/Tensor",
                swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        // What a fold produces (epoch curve, logits, the epoch rule), shared by the engine, the wire and
        // the evaluation without tying evaluation to the model.
        .target(name: "FoldResults", dependencies: ["Tensor"], path: "\(shared)/FoldResults"),
        .target(name: "HTNet", dependencies: ["Tensor", "CKernels", "FoldResults"], path: "\(shared)/HTNet",
                swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        // A second architecture (issue 19): DDAMFN for facial expressions, engine only.
        .target(name: "DDAMFN", dependencies: ["Tensor", "CKernels", "FoldResults"], path: "\(shared)/DDAMFN",
                swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        // The GPU engine's pieces: device selection, the CUDA loader's Swift face, the kernels (CUDA C
        // compiled by NVRTC on first use, cached), cuBLAS strided-batched products, device checks.
        .target(name: "CUDABackend", dependencies: ["CCUDA", "Tensor", "CKernels", "HTNet"], path: "\(shared)/CUDABackend"),
        // The data core: samples, manifests, input composition, the feature cache. No OpenCV.
        .target(name: "Dataset", dependencies: ["CZstd"], path: "\(shared)/Dataset"),
        // Everything that reads or writes images: the composite folder loader, synthetic data, the
        // raw-video pipeline. The only module that calls OpenCV and dlib (through OpenCVRuntime).
        .target(name: "Preprocessing", dependencies: ["Dataset", "Tensor", "OpenCVRuntime"],
                path: "\(shared)/Preprocessing"),
        .target(name: "Evaluation", dependencies: ["COpenBLAS", "Tensor", "FoldResults"], path: "\(shared)/Evaluation"),
        // Trained models as products: kept checkpoints and their metadata, loading them back,
        // prediction, attention and saliency maps.
        .target(name: "TrainedModels", dependencies: ["Tensor", "HTNet", "DDAMFN", "FoldResults", "Dataset"],
                path: "\(shared)/TrainedModels"),
        // The coordinator-worker protocol and the worker's side of it.
        .target(name: "Wire", dependencies: ["CMPI", "CBuildInfo", "Tensor", "HTNet", "DDAMFN", "FoldResults", "Dataset"],
                path: "\(shared)/Wire"),
        // The coordinator's side: experiment files, planning, scheduling, the journal, reports.
        .target(name: "Coordination", dependencies: ["Wire", "CUDABackend", "Tensor", "HTNet", "DDAMFN", "FoldResults", "Dataset",
                                                     "Preprocessing", "Evaluation", "TrainedModels",
                                                     .product(name: "Yams", package: "Yams")],
                path: "\(shared)/Coordination"),

        // The command-line conventions of both executables: one error style, named range checks.
        .target(name: "CommandLineConventions",
                dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
                path: "\(shared)/CommandLineConventions"),

        // Executables. The worker links the engine, the data core and the wire only: a compute node
        // needs OpenBLAS, Open MPI and zstd, nothing else.
        .executableTarget(name: "Coordinator",
                          dependencies: ["Tensor", "HTNet", "DDAMFN", "FoldResults", "Dataset", "Preprocessing",
                                         "Evaluation", "Wire", "Coordination", "CommandLineConventions", "CUDABackend", "TrainedModels",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Coordinator"),
        .executableTarget(name: "Worker",
                          dependencies: ["Tensor", "HTNet", "Wire", "CommandLineConventions", "CUDABackend",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Sources/Worker"),

        // Tests; TestSupport locates ../shared and makes temporary folders for several of them.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"], path: "Tests/TensorTests"),
        .testTarget(name: "HTNetTests", dependencies: ["TestSupport", "HTNet", "FoldResults", "Tensor"], path: "Tests/HTNetTests"),
        .testTarget(name: "CUDABackendTests", dependencies: ["TestSupport", "CUDABackend", "HTNet", "Tensor"],
                    path: "Tests/CUDABackendTests"),
        .testTarget(name: "DDAMFNTests", dependencies: ["TestSupport", "DDAMFN", "FoldResults", "Tensor"], path: "Tests/DDAMFNTests"),
        .testTarget(name: "DatasetTests", dependencies: ["TestSupport", "Dataset", "Preprocessing", "Tensor"],
                    path: "Tests/DatasetTests"),
        .testTarget(name: "PreprocessingTests", dependencies: ["TestSupport", "Dataset", "Preprocessing", "Tensor"],
                    path: "Tests/PreprocessingTests"),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "FoldResults", "Tensor"], path: "Tests/EvaluationTests"),
        .testTarget(name: "TrainedModelsTests", dependencies: ["TestSupport", "TrainedModels", "HTNet", "DDAMFN", "Tensor", "Dataset",
                                                              "FoldResults", "Preprocessing"],
                    path: "Tests/TrainedModelsTests"),
        .testTarget(name: "ClusterTests", dependencies: ["TestSupport", "Wire", "Coordination", "HTNet", "FoldResults",
                                                        "Dataset", "Preprocessing", "Evaluation", "TrainedModels", "Tensor"],
                    path: "Tests/ClusterTests"),
    ]
)
