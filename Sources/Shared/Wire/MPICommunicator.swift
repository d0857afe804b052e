import CMPI
import Foundation

/// The few MPI calls the job needs, over MPI_COMM_WORLD, with errors returned instead of aborting.
///
/// Receiving polls (`MPI_Iprobe` plus a short sleep) instead of blocking: OpenMPI's blocking receive
/// spins a core at 100 %, and on a small node the coordinator would steal that core from a worker.
/// Polling also lets the caller notice SIGINT/SIGTERM between messages.
public final class MPICommunicator {
    public let rank: Int
    public let size: Int
    /// The node's name as MPI reports it (the host's name).
    public let processorName: String
    private var finalized = false

    public init() throws {
        var provided: Int32 = 0
        let rc = MPI_Init_thread(nil, nil, cmpi_thread_funneled(), &provided)
        guard rc == cmpi_success() else { throw ClusterError.mpi("MPI_Init_thread failed (code \(rc))") }
        MPI_Comm_set_errhandler(cmpi_comm_world(), cmpi_errors_return())
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(cmpi_comm_world(), &r)
        MPI_Comm_size(cmpi_comm_world(), &s)
        rank = Int(r)
        size = Int(s)
        var name = [CChar](repeating: 0, count: Int(cmpi_max_processor_name()) + 1)
        var length: Int32 = 0
        MPI_Get_processor_name(&name, &length)
        processorName = String(cString: name)
    }

    /// World ranks of the processes on this node (collective: every rank must call it once at start).
    /// Used to share the node's cores between the workers placed on it.
    public func nodeLocalWorldRanks() throws -> [Int] {
        var local: MPI_Comm? = nil
        try check(MPI_Comm_split_type(cmpi_comm_world(), cmpi_comm_type_shared(), Int32(rank),
                                      cmpi_info_null(), &local), "MPI_Comm_split_type")
        defer { MPI_Comm_free(&local) }
        var localSize: Int32 = 0
        MPI_Comm_size(local, &localSize)
        var mine = Int32(rank)
        var all = [Int32](repeating: 0, count: Int(localSize))
        try check(MPI_Allgather(&mine, 1, cmpi_int32(), &all, 1, cmpi_int32(), local), "MPI_Allgather")
        return all.map(Int.init)
    }

    /// Sends one encoded message (blocking until the buffer can be reused).
    /// The most one message carries: MPI counts are 32-bit ints. Every send checks it, so an
    /// oversized message is a named error, never a trap in the Int32 conversion.
    public static let maximumMessageBytes = Int(Int32.max)

    public func send(_ bytes: [UInt8], to destination: Int, tag: Int = 0) throws {
        guard bytes.count <= Self.maximumMessageBytes else { throw ClusterError.messageTooLarge(bytes: bytes.count, destination: destination) }
        try bytes.withUnsafeBytes { buffer in
            try check(MPI_Send(buffer.baseAddress, Int32(buffer.count), cmpi_byte(), Int32(destination),
                               Int32(tag), cmpi_comm_world()), "MPI_Send to rank \(destination)")
        }
    }

    /// Sends one encoded message without waiting on the peer for longer than `seconds`: returns false
    /// when the peer has not taken it by then (a frozen or vanished rank). Large messages travel only
    /// when the receiver asks for them, so a plain MPI_Send to a dead rank would never return.
    /// On a timeout the copy of the message stays allocated, because MPI may still read it; the caller
    /// then ends the job with `abort`.
    public func send(_ bytes: [UInt8], to destination: Int, within seconds: Double, tag: Int = 0) throws -> Bool {
        guard bytes.count <= Self.maximumMessageBytes else { throw ClusterError.messageTooLarge(bytes: bytes.count, destination: destination) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 16)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        var request: MPI_Request? = cmpi_request_null()
        try check(MPI_Isend(buffer.baseAddress, Int32(bytes.count), cmpi_byte(), Int32(destination), Int32(tag),
                            cmpi_comm_world(), &request), "MPI_Isend to rank \(destination)")
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            var done: Int32 = 0
            try check(MPI_Test(&request, &done, cmpi_status_ignore()), "MPI_Test of a send to rank \(destination)")
            if done != 0 {
                buffer.deallocate()
                return true
            }
            if Date() >= deadline { return false }
            usleep(500)
        }
    }

    /// Returns the next pending message from any rank (or from `source`), or nil if none is waiting.
    public func poll(from source: Int? = nil) throws -> (source: Int, bytes: [UInt8])? {
        var flag: Int32 = 0
        var status = MPI_Status()
        try check(MPI_Iprobe(Int32(source ?? Int(cmpi_any_source())), cmpi_any_tag(), cmpi_comm_world(),
                             &flag, &status), "MPI_Iprobe")
        guard flag != 0 else { return nil }
        var count: Int32 = 0
        MPI_Get_count(&status, cmpi_byte(), &count)
        var bytes = [UInt8](repeating: 0, count: Int(count))
        let from = status.MPI_SOURCE
        try bytes.withUnsafeMutableBytes { buffer in
            try check(MPI_Recv(buffer.baseAddress, count, cmpi_byte(), from, status.MPI_TAG,
                               cmpi_comm_world(), cmpi_status_ignore()), "MPI_Recv from rank \(from)")
        }
        return (Int(from), bytes)
    }

    /// Waits for the next message, polling every `interval` seconds; returns nil when `stop()` says so.
    public func receive(from source: Int? = nil, interval: Double = 0.01,
                        stop: () -> Bool = { false }) throws -> (source: Int, bytes: [UInt8])? {
        while true {
            if let message = try poll(from: source) { return message }
            if stop() { return nil }
            usleep(UInt32(interval * 1_000_000))
        }
    }

    /// Ends the job hard (every rank): for failures after which no clean shutdown is possible.
    public func abort(code: Int32) -> Never {
        MPI_Abort(cmpi_comm_world(), code)
        exit(code)
    }

    public func finalize() {
        guard !finalized else { return }
        finalized = true
        MPI_Finalize()
    }

    private func check(_ rc: Int32, _ what: String) throws {
        guard rc != cmpi_success() else { return }
        var text = [CChar](repeating: 0, count: 512)
        var length: Int32 = 0
        MPI_Error_string(rc, &text, &length)
        throw ClusterError.mpi("\(what) failed: \(String(cString: text))")
    }
}
