#include "CCUDA.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Driver API types, as ABI-compatible stand-ins (cuda.h is not needed to build). */
typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext;
typedef void *CUmodule;
typedef void *CUfunction;
typedef void *CUstream;
typedef unsigned long long CUdeviceptr;

static struct {
    void *lib;
    CUresult (*cuInit)(unsigned);
    CUresult (*cuDriverGetVersion)(int *);
    CUresult (*cuDeviceGetCount)(int *);
    CUresult (*cuDeviceGet)(CUdevice *, int);
    CUresult (*cuDeviceGetName)(char *, int, CUdevice);
    CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
    CUresult (*cuDeviceTotalMem)(size_t *, CUdevice);
    CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
    CUresult (*cuCtxSetCurrent)(CUcontext);
    CUresult (*cuCtxSynchronize)(void);
    CUresult (*cuMemGetInfo)(size_t *, size_t *);
    CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
    CUresult (*cuMemFree)(CUdeviceptr);
    CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
    CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
    CUresult (*cuMemsetD8)(CUdeviceptr, unsigned char, size_t);
    CUresult (*cuModuleLoadData)(CUmodule *, const void *);
    CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
    CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                               CUstream, void **, void **);
    CUresult (*cuGetErrorString)(CUresult, const char **);
} cu;

static struct {
    void *lib;
    int (*create)(void **);
    int (*destroy)(void *);
    int (*setMathMode)(void *, int);
    int (*sgemmStridedBatched)(void *, int, int, int, int, int, const float *, const float *, int, long long,
                               const float *, int, long long, const float *, float *, int, long long, int);
} blas;

static struct {
    void *lib;
    const char *(*getErrorString)(int);
    int (*version)(int *, int *);
    int (*createProgram)(void **, const char *, const char *, int, const char *const *, const char *const *);
    int (*compileProgram)(void *, int, const char *const *);
    int (*getProgramLogSize)(void *, size_t *);
    int (*getProgramLog)(void *, char *);
    int (*getCUBINSize)(void *, size_t *);
    int (*getCUBIN)(void *, char *);
    int (*getPTXSize)(void *, size_t *);
    int (*getPTX)(void *, char *);
    int (*destroyProgram)(void **);
} rtc;

/* Resolves `name` into *slot; on failure writes the symbol into err and closes nothing (the caller does). */
static int resolve(void *lib, const char *name, void **slot, char *err, size_t errlen) {
    *slot = dlsym(lib, name);
    if (*slot) return 0;
    snprintf(err, errlen, "symbol %s missing: %s", name, dlerror());
    return -1;
}
#define RESOLVE(lib, table, field, name) if (resolve(lib, name, (void **)&table.field, err, errlen)) goto fail

static void *open_library(const char *path, char *err, size_t errlen) {
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) snprintf(err, errlen, "%s", dlerror());
    return lib;
}

int loso_cuda_open(const char *path, char *err, size_t errlen) {
    if (cu.lib) return 0;
    void *lib = open_library(path, err, errlen);
    if (!lib) return -1;
    RESOLVE(lib, cu, cuInit, "cuInit");
    RESOLVE(lib, cu, cuDriverGetVersion, "cuDriverGetVersion");
    RESOLVE(lib, cu, cuDeviceGetCount, "cuDeviceGetCount");
    RESOLVE(lib, cu, cuDeviceGet, "cuDeviceGet");
    RESOLVE(lib, cu, cuDeviceGetName, "cuDeviceGetName");
    RESOLVE(lib, cu, cuDeviceGetAttribute, "cuDeviceGetAttribute");
    RESOLVE(lib, cu, cuDeviceTotalMem, "cuDeviceTotalMem_v2");
    RESOLVE(lib, cu, cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
    RESOLVE(lib, cu, cuCtxSetCurrent, "cuCtxSetCurrent");
    RESOLVE(lib, cu, cuCtxSynchronize, "cuCtxSynchronize");
    RESOLVE(lib, cu, cuMemGetInfo, "cuMemGetInfo_v2");
    RESOLVE(lib, cu, cuMemAlloc, "cuMemAlloc_v2");
    RESOLVE(lib, cu, cuMemFree, "cuMemFree_v2");
    RESOLVE(lib, cu, cuMemcpyHtoD, "cuMemcpyHtoD_v2");
    RESOLVE(lib, cu, cuMemcpyDtoH, "cuMemcpyDtoH_v2");
    RESOLVE(lib, cu, cuMemsetD8, "cuMemsetD8_v2");
    RESOLVE(lib, cu, cuModuleLoadData, "cuModuleLoadData");
    RESOLVE(lib, cu, cuModuleGetFunction, "cuModuleGetFunction");
    RESOLVE(lib, cu, cuLaunchKernel, "cuLaunchKernel");
    RESOLVE(lib, cu, cuGetErrorString, "cuGetErrorString");
    cu.lib = lib;
    CUresult r = cu.cuInit(0);
    if (r != 0) {
        snprintf(err, errlen, "cuInit failed: %s (%d)", loso_cuda_error(r), r);
        cu.lib = NULL;
        dlclose(lib);
        return r;
    }
    return 0;
fail:
    dlclose(lib);
    return -1;
}

int loso_cuda_is_open(void) { return cu.lib != NULL; }

const char *loso_cuda_error(int code) {
    const char *s = NULL;
    if (cu.cuGetErrorString && cu.cuGetErrorString(code, &s) == 0 && s) return s;
    return "unknown CUDA driver error";
}

#define NEED_CU if (!cu.lib) return -1
int loso_cuda_driver_version(int *version) { NEED_CU; return cu.cuDriverGetVersion(version); }
int loso_cuda_device_count(int *count) { NEED_CU; return cu.cuDeviceGetCount(count); }

int loso_cuda_select(int ordinal, char *name, size_t namelen, int *major, int *minor, size_t *total_bytes) {
    NEED_CU;
    CUdevice d;
    CUcontext ctx;
    CUresult r;
    if ((r = cu.cuDeviceGet(&d, ordinal))) return r;
    if ((r = cu.cuDeviceGetName(name, (int)namelen, d))) return r;
    if ((r = cu.cuDeviceGetAttribute(major, 75, d))) return r;   /* CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR */
    if ((r = cu.cuDeviceGetAttribute(minor, 76, d))) return r;   /* ..._MINOR */
    if ((r = cu.cuDeviceTotalMem(total_bytes, d))) return r;
    if ((r = cu.cuDevicePrimaryCtxRetain(&ctx, d))) return r;
    return cu.cuCtxSetCurrent(ctx);
}

int loso_cuda_alloc(uint64_t *ptr, size_t bytes) {
    NEED_CU;
    CUdeviceptr p = 0;
    CUresult r = cu.cuMemAlloc(&p, bytes ? bytes : 1);
    *ptr = p;
    return r;
}
int loso_cuda_free(uint64_t ptr) { NEED_CU; return cu.cuMemFree(ptr); }
int loso_cuda_upload(uint64_t dst, const void *src, size_t bytes) { NEED_CU; return bytes ? cu.cuMemcpyHtoD(dst, src, bytes) : 0; }
int loso_cuda_download(void *dst, uint64_t src, size_t bytes) { NEED_CU; return bytes ? cu.cuMemcpyDtoH(dst, src, bytes) : 0; }
int loso_cuda_memset_zero(uint64_t dst, size_t bytes) { NEED_CU; return bytes ? cu.cuMemsetD8(dst, 0, bytes) : 0; }
int loso_cuda_module_load(void **module, const void *image) { NEED_CU; return cu.cuModuleLoadData(module, image); }
int loso_cuda_function(void **function, void *module, const char *name) { NEED_CU; return cu.cuModuleGetFunction(function, module, name); }
int loso_cuda_launch(void *function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                     unsigned shared_bytes, void **args) {
    NEED_CU;
    return cu.cuLaunchKernel(function, gx, gy, gz, bx, by, bz, shared_bytes, NULL, args, NULL);
}
int loso_cuda_synchronize(void) { NEED_CU; return cu.cuCtxSynchronize(); }
int loso_cuda_memory_info(size_t *free_bytes, size_t *total_bytes) { NEED_CU; return cu.cuMemGetInfo(free_bytes, total_bytes); }

int loso_cublas_open(const char *path, char *err, size_t errlen) {
    if (blas.lib) return 0;
    void *lib = open_library(path, err, errlen);
    if (!lib) return -1;
    RESOLVE(lib, blas, create, "cublasCreate_v2");
    RESOLVE(lib, blas, destroy, "cublasDestroy_v2");
    RESOLVE(lib, blas, setMathMode, "cublasSetMathMode");
    RESOLVE(lib, blas, sgemmStridedBatched, "cublasSgemmStridedBatched");
    blas.lib = lib;
    return 0;
fail:
    dlclose(lib);
    return -1;
}

#define NEED_BLAS if (!blas.lib) return -1
int loso_cublas_create(void **handle) { NEED_BLAS; return blas.create(handle); }
int loso_cublas_destroy(void *handle) { NEED_BLAS; return blas.destroy(handle); }
int loso_cublas_set_math_mode(void *handle, int mode) { NEED_BLAS; return blas.setMathMode(handle, mode); }
int loso_cublas_sgemm_strided_batched(void *handle, int transa, int transb, int m, int n, int k, float alpha,
                                      uint64_t a, int lda, long long stride_a, uint64_t b, int ldb, long long stride_b,
                                      float beta, uint64_t c, int ldc, long long stride_c, int batch) {
    NEED_BLAS;
    return blas.sgemmStridedBatched(handle, transa, transb, m, n, k, &alpha, (const float *)(uintptr_t)a, lda, stride_a,
                                    (const float *)(uintptr_t)b, ldb, stride_b, &beta, (float *)(uintptr_t)c, ldc,
                                    stride_c, batch);
}

int loso_nvrtc_open(const char *path, char *err, size_t errlen) {
    if (rtc.lib) return 0;
    void *lib = open_library(path, err, errlen);
    if (!lib) return -1;
    RESOLVE(lib, rtc, getErrorString, "nvrtcGetErrorString");
    RESOLVE(lib, rtc, version, "nvrtcVersion");
    RESOLVE(lib, rtc, createProgram, "nvrtcCreateProgram");
    RESOLVE(lib, rtc, compileProgram, "nvrtcCompileProgram");
    RESOLVE(lib, rtc, getProgramLogSize, "nvrtcGetProgramLogSize");
    RESOLVE(lib, rtc, getProgramLog, "nvrtcGetProgramLog");
    RESOLVE(lib, rtc, getCUBINSize, "nvrtcGetCUBINSize");
    RESOLVE(lib, rtc, getCUBIN, "nvrtcGetCUBIN");
    RESOLVE(lib, rtc, getPTXSize, "nvrtcGetPTXSize");
    RESOLVE(lib, rtc, getPTX, "nvrtcGetPTX");
    RESOLVE(lib, rtc, destroyProgram, "nvrtcDestroyProgram");
    rtc.lib = lib;
    return 0;
fail:
    dlclose(lib);
    return -1;
}

const char *loso_nvrtc_error(int code) { return rtc.lib ? rtc.getErrorString(code) : "NVRTC is not loaded"; }
int loso_nvrtc_version(int *major, int *minor) { return rtc.lib ? rtc.version(major, minor) : -1; }

int loso_nvrtc_compile(const char *source, const char *name, const char **options, int option_count, int cubin,
                       char **image, size_t *image_size, char **log) {
    *image = NULL;
    *image_size = 0;
    *log = NULL;
    if (!rtc.lib) return -1;
    void *prog = NULL;
    int r = rtc.createProgram(&prog, source, name, 0, NULL, NULL);
    if (r) return r;
    int compiled = rtc.compileProgram(prog, option_count, options);
    size_t logSize = 0;
    if (rtc.getProgramLogSize(prog, &logSize) == 0 && logSize > 1) {
        *log = malloc(logSize);
        if (*log && rtc.getProgramLog(prog, *log) != 0) { free(*log); *log = NULL; }
    }
    if (compiled == 0) {
        size_t size = 0;
        r = cubin ? rtc.getCUBINSize(prog, &size) : rtc.getPTXSize(prog, &size);
        if (r == 0) {
            *image = malloc(size ? size : 1);
            r = cubin ? rtc.getCUBIN(prog, *image) : rtc.getPTX(prog, *image);
            if (r == 0) *image_size = size; else { free(*image); *image = NULL; }
        }
    } else {
        r = compiled;
    }
    rtc.destroyProgram(&prog);
    return r;
}

void loso_free(void *p) { free(p); }
