import CSystem
import PluginKit

/// Small persistent values (stored charge, last balancing day) as one text file per key,
/// "storedvalue_<key>", the names the Python program used, so its files carry over.
///
/// Writes are atomic (temp file, fsync, rename, fsync of the directory): after a power cut a
/// file holds either the old or the new value, never a torn one. A write that fails stays
/// pending and `flush()` retries it; a full disk or a read-only mount costs a warning, not the
/// daemon. Not thread-safe: the host owns it from its tick loop.
public final class StateStore {
    public let directory: String
    private let clock: () -> StateTimestamp
    /// Values not yet on disk, by key, in the order they were first queued.
    private var pending: [(key: String, text: String)] = []

    /// A trial store reads the same files but never changes them: a reload tries the new
    /// strategies on one first, so that one that cannot start leaves the running ones untouched.
    public let discardsWrites: Bool

    /// The Python program's stored values were at most a number; anything far larger is not ours.
    static let maximumFileSize = 64 * 1024

    /// - Parameter clock: local time, used only to name quarantined files.
    public init(directory: String, clock: @escaping () -> StateTimestamp, discardsWrites: Bool = false) {
        self.directory = directory
        self.clock = clock
        self.discardsWrites = discardsWrites
    }

    /// A store over the same files that reads this one's latest values and writes nothing.
    public func trial() -> StateStore {
        let copy = StateStore(directory: directory, clock: clock, discardsWrites: true)
        copy.pending = pending
        return copy
    }

    public static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
        }
    }

    /// The file that holds `key`.
    public func path(ofKey key: String) -> String {
        directory + "/storedvalue_" + key
    }

    /// Keys whose latest value has not reached the disk yet.
    public var pendingKeys: [String] {
        pending.map { $0.key }
    }

    /// The latest value of `key`: a pending (not yet saved) value wins over the file, so a
    /// strategy always reads back what it last wrote. Invalid UTF-8 or an oversized file is
    /// `.unreadable`; the caller decides whether to quarantine it.
    public func read(_ key: String) throws(StateStoreError) -> StoredValue {
        guard Self.isValidKey(key) else { throw .invalidKey(key) }
        if let queued = pending.first(where: { $0.key == key }) { return .text(queued.text) }
        let descriptor = csystem_open(path(ofKey: key), O_RDONLY | O_CLOEXEC, 0)
        if descriptor < 0 { return csystem_errno() == ENOENT ? .absent : .unreadable }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress, buffer.count)
            }
            if count < 0 {
                if csystem_errno() == EINTR { continue }
                return .unreadable
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > Self.maximumFileSize { return .unreadable }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { return .unreadable }
        return .text(text)
    }

    /// Queues `text` for `key` without touching the disk; `flush()` writes it. Replaces an
    /// older pending value of the same key.
    public func enqueue(_ key: String, _ text: String) throws(StateStoreError) {
        guard Self.isValidKey(key) else { throw .invalidKey(key) }
        if let index = pending.firstIndex(where: { $0.key == key }) {
            pending[index].text = text
        } else {
            pending.append((key, text))
        }
    }

    /// Saves `text` under `key` now. On failure the value stays pending for the next `flush()`
    /// and the error says why.
    public func write(_ key: String, _ text: String) throws(StateStoreError) {
        try enqueue(key, text)
        guard !discardsWrites else { return }
        if let error = save(key: key, text: text) { throw error }
        pending.removeAll { $0.key == key }
    }

    /// Forgets `key`: drops a pending value and deletes its file. Returns false when the file
    /// exists but could not be deleted.
    @discardableResult
    public func remove(_ key: String) -> Bool {
        guard Self.isValidKey(key) else { return false }
        pending.removeAll { $0.key == key }
        guard !discardsWrites else { return true }
        return unlink(path(ofKey: key)) == 0 || csystem_errno() == ENOENT
    }

    /// Retries every pending write; returns the errors of those still failing (they stay pending).
    @discardableResult
    public func flush() -> [StateStoreError] {
        guard !discardsWrites else { return [] }
        var errors: [StateStoreError] = []
        var stillPending: [(key: String, text: String)] = []
        for item in pending {
            if let error = save(key: item.key, text: item.text) {
                errors.append(error)
                stillPending.append(item)
            }
        }
        pending = stillPending
        return errors
    }

    /// Moves the corrupt file of `key` aside as "storedvalue_<key>.corrupt-YYYYMMDD-HHMMSS"
    /// (local time from the clock) so nothing is lost and a human can look at it; afterwards the
    /// key reads `.absent`. A pending value of the key is dropped too: it is what was reported
    /// corrupt. Returns what happened, for the log.
    @discardableResult
    public func quarantine(_ key: String, reason: String) throws(StateStoreError) -> StateQuarantine {
        guard Self.isValidKey(key) else { throw .invalidKey(key) }
        pending.removeAll { $0.key == key }
        guard !discardsWrites else { return StateQuarantine(key: key, reason: reason, movedTo: nil) }
        let source = path(ofKey: key)
        let base = source + ".corrupt-" + clock().fileNameStamp
        var target = base
        var suffix = 2
        while access(target, F_OK) == 0 {
            target = base + "-" + String(suffix)
            suffix += 1
        }
        if rename(source, target) != 0 {
            let code = csystem_errno()
            if code == ENOENT { return StateQuarantine(key: key, reason: reason, movedTo: nil) }
            throw .quarantineFailed(key: key, path: source, code: code)
        }
        syncDirectory()
        return StateQuarantine(key: key, reason: reason, movedTo: target)
    }

    // MARK: - Atomic write

    /// One atomic save; nil on success. Cleans up its temp file on failure.
    private func save(key: String, text: String) -> StateStoreError? {
        let target = path(ofKey: key)
        let temporary = target + ".tmp"
        func failure(_ step: String, _ path: String) -> StateStoreError {
            .writeFailed(key: key, path: path, step: step, code: csystem_errno())
        }
        if mkdir(directory, 0o755) != 0, csystem_errno() != EEXIST {
            return failure("mkdir", directory)
        }
        let descriptor = csystem_open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor < 0 { return failure("open", temporary) }
        var error: StateStoreError?
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count, error == nil {
            let written = bytes[offset...].withUnsafeBytes { buffer in
                systemWrite(descriptor, buffer.baseAddress, buffer.count)
            }
            if written < 0 {
                if csystem_errno() != EINTR { error = failure("write", temporary) }
            } else {
                offset += written
            }
        }
        if error == nil, fsync(descriptor) != 0 { error = failure("fsync", temporary) }
        if close(descriptor) != 0, error == nil { error = failure("close", temporary) }
        if error == nil, rename(temporary, target) != 0 { error = failure("rename", target) }
        if let error {
            unlink(temporary)
            return error
        }
        syncDirectory()
        return nil
    }

    /// Makes the rename itself durable. Best effort: some file systems refuse fsync on a
    /// directory, and the data is already safe in the file.
    private func syncDirectory() {
        let descriptor = csystem_open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}

// The class's own read/write methods shadow the libc calls inside it.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// The outcome of `StateStore.quarantine`, worded for the log.
public struct StateQuarantine: Equatable, Sendable, CustomStringConvertible {
    public var key: String
    public var reason: String
    /// Where the corrupt file went; nil when there was no file to move.
    public var movedTo: String?

    public var description: String {
        if let movedTo {
            return "stored value '\(key)' is corrupt (\(reason)); moved to \(movedTo), starting without it"
        }
        return "stored value '\(key)' is corrupt (\(reason)); no file to move aside"
    }
}
