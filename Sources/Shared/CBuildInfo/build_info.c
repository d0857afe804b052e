#include "build_info.h"

#ifndef LOSO_GIT_COMMIT
#define LOSO_GIT_COMMIT ""
#endif

const char *loso_build_commit(void) { return LOSO_GIT_COMMIT; }
