/// Where a run's numbers come from, as every report records it: for each session of the run (a
/// resumed run has several) the software and its commit, the inputs' SHA-256 digests, the dates, the
/// machines and the numerical libraries. Everything here is recorded, never used in a computation:
/// the results depend on the experiment and seeds only.
public struct RunProvenance: Codable, Equatable, Sendable {
    public struct Session: Codable, Equatable, Sendable {
        public var session: Int
        /// ISO 8601 start and end times (end absent while running or after a crash).
        public var started: String
        public var ended: String?
        /// complete, interrupted or failed.
        public var outcome: String?
        /// `SoftwareVersion.description` of the coordinator: release and git commit.
        public var software: String?
        public var coordinatorHost: String?
        public var experimentFile: String?
        public var experimentSHA256: String?
        /// The dataset as given (a path, or "synthetic (seed N)").
        public var dataset: String?
        public var datasetSHA256: String?
        /// What `datasetSHA256` is the digest of (the cache file itself, or the composed inputs).
        public var datasetDigestOf: String?
        /// Worker processes of the session (1 when it trained in-process).
        public var workers: Int?
        /// "host:rank (cores, workers on node, threads, device)" of each worker that joined.
        public var workerHosts: [String]
        /// The OpenBLAS kernel family the coordinator runs (e.g. "SkylakeX").
        public var openBLASCoreType: String?
        /// `MPI_Get_library_version` of the coordinator's MPI library.
        public var mpiLibrary: String?
        /// Landmark fallbacks, skipped samples and the like, as the run log words them.
        public var dataNotes: [String]?

        public init(session: Int, started: String, ended: String? = nil, outcome: String? = nil, software: String? = nil,
                    coordinatorHost: String? = nil, experimentFile: String? = nil, experimentSHA256: String? = nil,
                    dataset: String? = nil, datasetSHA256: String? = nil, datasetDigestOf: String? = nil,
                    workers: Int? = nil, workerHosts: [String] = [], openBLASCoreType: String? = nil, mpiLibrary: String? = nil,
                    dataNotes: [String]? = nil) {
            self.session = session
            self.started = started
            self.ended = ended
            self.outcome = outcome
            self.software = software
            self.coordinatorHost = coordinatorHost
            self.experimentFile = experimentFile
            self.experimentSHA256 = experimentSHA256
            self.dataset = dataset
            self.datasetSHA256 = datasetSHA256
            self.datasetDigestOf = datasetDigestOf
            self.workers = workers
            self.workerHosts = workerHosts
            self.openBLASCoreType = openBLASCoreType
            self.mpiLibrary = mpiLibrary
            self.dataNotes = dataNotes
        }
    }

    public var sessions: [Session]

    /// The data notes of the latest session that recorded any (the dataset a report's numbers rest on).
    public var dataNotes: [String] { sessions.last { !($0.dataNotes ?? []).isEmpty }?.dataNotes ?? [] }

    public init(sessions: [Session]) { self.sessions = sessions }
}
