/// Where a report's slow parts stand while it is computed: the paired tests between variants (per
/// epoch rule and noise level; each pair runs thousands of randomisation rounds and bootstrap
/// resamples) and the t-SNE maps. Called after each item of a stage with the stage's name, the items
/// done and the stage's item count, so a caller can show progress and an ETA for a large run.
public typealias ReportProgress = (_ stage: String, _ done: Int, _ total: Int) -> Void
