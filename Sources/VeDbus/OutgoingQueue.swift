/// Messages waiting for the socket to take them, oldest first, with a bound per destination
/// and one for the whole queue, so that a peer that calls without reading its replies (or a bus
/// daemon that stops reading us) costs a bounded amount of our memory, never all of it.
///
/// Without a socket: `write` is given the function that sends, so tests drive it with bytes.
struct OutgoingQueue {
    /// The most bytes of replies one destination may have waiting; what comes beyond is dropped.
    let maximumBytesPerPeer: Int
    /// The most bytes waiting in all; beyond, new messages are dropped (the bus daemon is not
    /// reading us at all).
    let maximumBytes: Int

    private struct Entry {
        var frame: [UInt8]
        var destination: String?
    }

    private var entries: [Entry] = []
    /// The first entry not completely written, and how much of it was.
    private var head = 0
    private var headWritten = 0
    /// Bytes waiting, all destinations.
    private(set) var queuedBytes = 0
    private var bytesByDestination: [String: Int] = [:]
    /// Messages dropped so far (for reports).
    private(set) var droppedCount = 0

    init(maximumBytesPerPeer: Int = 1 << 20, maximumBytes: Int = 8 << 20) {
        self.maximumBytesPerPeer = maximumBytesPerPeer
        self.maximumBytes = maximumBytes
    }

    var isEmpty: Bool { head == entries.count }

    /// Bytes waiting for `destination`.
    func queuedBytes(for destination: String) -> Int { bytesByDestination[destination] ?? 0 }

    /// Adds a message; false when it was dropped because its destination (or the queue) is
    /// over its bound. A message for nobody in particular (a signal) counts only in the total.
    mutating func enqueue(_ frame: [UInt8], destination: String?) -> Bool {
        guard queuedBytes + frame.count <= maximumBytes || isEmpty else {
            droppedCount += 1
            return false
        }
        if let destination {
            let waiting = bytesByDestination[destination] ?? 0
            guard waiting == 0 || waiting + frame.count <= maximumBytesPerPeer else {
                droppedCount += 1
                return false
            }
            bytesByDestination[destination] = waiting + frame.count
        }
        entries.append(Entry(frame: frame, destination: destination))
        queuedBytes += frame.count
        return true
    }

    /// Hands waiting bytes to `send` (which returns how many it took, 0 when it would block, or
    /// -1 when the connection is broken) until it takes less than offered. False when broken.
    mutating func write(_ send: (UnsafeRawBufferPointer) -> Int) -> Bool {
        while head < entries.count {
            let written = entries[head].frame.withUnsafeBytes { bytes in
                send(UnsafeRawBufferPointer(rebasing: bytes[headWritten...]))
            }
            if written < 0 { return false }
            if written == 0 { break }
            headWritten += written
            if headWritten < entries[head].frame.count { break }
            finishHead()
        }
        compact()
        return true
    }

    /// Forgets everything (the connection closed).
    mutating func removeAll() {
        entries = []
        head = 0
        headWritten = 0
        queuedBytes = 0
        bytesByDestination = [:]
    }

    private mutating func finishHead() {
        let entry = entries[head]
        queuedBytes -= entry.frame.count
        if let destination = entry.destination {
            let left = (bytesByDestination[destination] ?? 0) - entry.frame.count
            bytesByDestination[destination] = left > 0 ? left : nil
        }
        entries[head].frame = []
        head += 1
        headWritten = 0
    }

    /// Drops written entries from the front; a queue that grew large gives its storage back.
    private mutating func compact() {
        if head == entries.count {
            if entries.capacity > 256 {
                entries = []
            } else {
                entries.removeAll(keepingCapacity: true)
            }
            head = 0
        } else if head > 64, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }
}
