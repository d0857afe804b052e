#ifndef LOSO_BUILD_INFO_H
#define LOSO_BUILD_INFO_H

/// The git commit the executables were built from: the LOSO_GIT_COMMIT define of the build
/// (cluster/build-release.sh and cluster/test.sh pass `-Xcc -DLOSO_GIT_COMMIT=\"<sha>\"`), or "" when
/// the build was given none (a plain `swift build`). A C define, because Swift's -D has no values and
/// a generated Swift file could be committed stale.
const char *loso_build_commit(void);

#endif
