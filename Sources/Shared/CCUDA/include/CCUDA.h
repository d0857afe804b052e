#ifndef CCUDA_H
#define CCUDA_H
#include <stddef.h>
#include <stdint.h>

/// The few CUDA driver, cuBLAS and NVRTC calls the GPU engine needs, resolved at run time with
/// dlopen/dlsym: nothing here needs CUDA headers or libraries at build time, and a machine without
/// CUDA runs every other part of the program. Each library is opened from one path at a time (the
/// Swift side, CUDALibraries, walks the candidate paths and reports every failure).
///
/// Every call returns 0 on success or the library's own status code; `loso_cuda_error` and
/// `loso_nvrtc_error` turn codes into the libraries' messages. Device pointers are uint64_t.

/// Opens libcuda from `path` and calls cuInit(0). Writes dlerror()/the failing symbol into `err`.
int loso_cuda_open(const char *path, char *err, size_t errlen);
int loso_cuda_is_open(void);
const char *loso_cuda_error(int code);
int loso_cuda_driver_version(int *version);
int loso_cuda_device_count(int *count);
/// Makes device `ordinal`'s primary context current (the context cuBLAS's runtime also uses).
int loso_cuda_select(int ordinal, char *name, size_t namelen, int *major, int *minor, size_t *total_bytes);
int loso_cuda_alloc(uint64_t *ptr, size_t bytes);
int loso_cuda_free(uint64_t ptr);
int loso_cuda_upload(uint64_t dst, const void *src, size_t bytes);
int loso_cuda_download(void *dst, uint64_t src, size_t bytes);
int loso_cuda_memset_zero(uint64_t dst, size_t bytes);
/// Loads a CUBIN or PTX image; the module handle is written into `module`.
int loso_cuda_module_load(void **module, const void *image);
int loso_cuda_function(void **function, void *module, const char *name);
int loso_cuda_launch(void *function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                     unsigned shared_bytes, void **args);
int loso_cuda_synchronize(void);
/* Free and total memory of the current context's device (cuMemGetInfo_v2). */
int loso_cuda_memory_info(size_t *free_bytes, size_t *total_bytes);

/// Opens libcublas from `path`.
int loso_cublas_open(const char *path, char *err, size_t errlen);
int loso_cublas_create(void **handle);
int loso_cublas_destroy(void *handle);
/// cublasSetMathMode: 0 default (fp32), 3 CUBLAS_TF32_TENSOR_OP_MATH (an explicit option only).
int loso_cublas_set_math_mode(void *handle, int mode);
/// cublasSgemmStridedBatched, column-major, host alpha/beta; trans: 0 N, 1 T.
int loso_cublas_sgemm_strided_batched(void *handle, int transa, int transb, int m, int n, int k, float alpha,
                                      uint64_t a, int lda, long long stride_a, uint64_t b, int ldb, long long stride_b,
                                      float beta, uint64_t c, int ldc, long long stride_c, int batch);

/// Opens libnvrtc from `path`.
int loso_nvrtc_open(const char *path, char *err, size_t errlen);
const char *loso_nvrtc_error(int code);
int loso_nvrtc_version(int *major, int *minor);
/// Compiles `source` with `options`; on success *image (malloc'd, free with loso_free) holds the
/// CUBIN (`cubin` != 0) or NUL-terminated PTX. *log (malloc'd or NULL) holds the compiler's log.
int loso_nvrtc_compile(const char *source, const char *name, const char **options, int option_count, int cubin,
                       char **image, size_t *image_size, char **log);
void loso_free(void *p);
#endif
