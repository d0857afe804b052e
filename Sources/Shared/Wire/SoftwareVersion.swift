import CBuildInfo

/// The program's version as `--version` prints it and reports record it: the release number (kept
/// here by hand, bumped with each release) and the git commit embedded at build time.
///
/// The commit comes from the C define LOSO_GIT_COMMIT (CBuildInfo), which cluster/build-release.sh
/// sets from `git rev-parse HEAD` (plus "-dirty" for uncommitted changes). A plain `swift build`
/// works offline from a clean clone and reports the commit as unknown instead of a stale one.
public enum SoftwareVersion {
    public static let release = ClusterVersion.software

    /// The embedded commit, or nil when the build did not embed one.
    public static let commit: String? = {
        let text = String(cString: loso_build_commit())
        return text.isEmpty ? nil : text
    }()

    /// "0.1.0 (commit 1a2b3c...)" or "0.1.0 (commit unknown: built without LOSO_GIT_COMMIT)".
    public static let description: String = {
        "\(release) (commit \(commit ?? "unknown: built without LOSO_GIT_COMMIT, see README"))"
    }()
}
