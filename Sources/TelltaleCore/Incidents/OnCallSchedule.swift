public import Foundation

/// Who is on call: layers of rotations in one time zone, later layers above earlier ones
/// (where a later layer has someone, it wins), and overrides above all layers.
public struct OnCallSchedule: Sendable, Hashable {
    public var id: OnCallScheduleID
    public var organizationID: OrganizationID
    public var draft: OnCallScheduleDraft

    public init(id: OnCallScheduleID, organizationID: OrganizationID, draft: OnCallScheduleDraft) {
        self.id = id
        self.organizationID = organizationID
        self.draft = draft
    }
}

public struct OnCallScheduleDraft: Sendable, Hashable {
    public var name: String
    public var timeZone: TimeZone
    public var layers: [RotationLayer]
    public var overrides: [OnCallOverride]

    public init(name: String, timeZone: TimeZone, layers: [RotationLayer], overrides: [OnCallOverride] = []) throws {
        self.name = name.trimmingCharacters(in: .whitespaces)
        self.timeZone = timeZone
        self.layers = layers
        self.overrides = overrides
        guard (1...200).contains(self.name.count) else { throw ValidationError(field: "name", reason: "must be 1 to 200 characters") }
        guard !layers.isEmpty, layers.count <= 10 else { throw ValidationError(field: "layers", reason: "must have 1 to 10 layers") }
        for override in overrides where override.end <= override.start {
            throw ValidationError(field: "overrides", reason: "an override must end after it starts")
        }
    }

    /// Who is on call at `date` (nobody in a gap).
    public func onCall(at date: Date) -> UserID? {
        // The latest override wins where several cover the time.
        if let override = overrides.last(where: { $0.start <= date && date < $0.end }) { return override.userID }
        for layer in layers.reversed() {
            if let user = layer.onCall(at: date, in: timeZone) { return user }
        }
        return nil
    }

    /// The shifts between `start` and `end`, merged where the same person continues, checked
    /// every `step` seconds plus at every override's edges (hand-offs fall on whole minutes).
    public func shifts(from start: Date, to end: Date, step: TimeInterval = 300) -> [OnCallShift] {
        var instants = Set<Date>()
        var t = start
        while t < end {
            instants.insert(t)
            t = t.addingTimeInterval(step)
        }
        for override in overrides {
            for edge in [override.start, override.end] where start <= edge && edge < end { instants.insert(edge) }
        }
        var shifts: [OnCallShift] = []
        for instant in instants.sorted() {
            let user = onCall(at: instant)
            if let last = shifts.last, last.userID == user {
                continue
            }
            if !shifts.isEmpty { shifts[shifts.count - 1].end = instant }
            shifts.append(OnCallShift(userID: user, start: instant, end: end))
        }
        return shifts
    }

    /// The gaps (nobody on call) in the next `days` days from `start`: allowed, but worth a warning.
    public func gaps(from start: Date, days: Int = 14) -> [OnCallShift] {
        shifts(from: start, to: start.addingTimeInterval(Double(days) * 86_400)).filter { $0.userID == nil }
    }
}

public struct OnCallShift: Sendable, Hashable {
    public var userID: UserID?
    public var start: Date
    public var end: Date
}

public struct OnCallOverride: Sendable, Hashable {
    public var userID: UserID
    public var start: Date
    public var end: Date

    public init(userID: UserID, start: Date, end: Date) {
        self.userID = userID
        self.start = start
        self.end = end
    }
}

/// A rotation: `users` in turn, handing over at the local time of `start` every day, every
/// week, or every `customSeconds`; optionally only within `restrictions` (days and hours).
/// Daily and weekly hand-offs follow the wall clock, so they stay at 09:00 across DST changes.
public struct RotationLayer: Sendable, Hashable {
    public enum Length: Sendable, Hashable {
        case daily, weekly, custom(seconds: Int)
    }

    public var name: String
    public var users: [UserID]
    public var start: Date
    public var length: Length
    public var restrictions: [CalendarWindow]

    public init(name: String, users: [UserID], start: Date, length: Length, restrictions: [CalendarWindow] = []) throws {
        guard !users.isEmpty else { throw ValidationError(field: "layers.users", reason: "a layer needs at least one user") }
        if case .custom(let seconds) = length, seconds < 60 {
            throw ValidationError(field: "layers.rotation_seconds", reason: "must be at least 60")
        }
        self.name = name
        self.users = users
        self.start = start
        self.length = length
        self.restrictions = restrictions
    }

    public func onCall(at date: Date, in timeZone: TimeZone) -> UserID? {
        guard date >= start else { return nil }
        if !restrictions.isEmpty {
            let local = CalendarWindow.LocalTime(date, in: timeZone)
            guard restrictions.contains(where: { $0.contains(local) }) else { return nil }
        }
        guard let turns = turns(until: date, in: timeZone) else { return nil }
        return users[turns % users.count]
    }

    /// Hand-offs from `start` to `date`.
    func turns(until date: Date, in timeZone: TimeZone) -> Int? {
        let days: Int
        switch length {
        case .custom(let seconds): return Int(date.timeIntervalSince(start) / Double(seconds))
        case .daily: days = 1
        case .weekly: days = 7
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        // Whole local days between the start and `date`, less one if `date` is earlier in its
        // day than the hand-off time.
        let handoff = calendar.dateComponents([.hour, .minute, .second], from: start)
        let at = calendar.dateComponents([.hour, .minute, .second], from: date)
        guard var elapsed = calendar.dateComponents([.day], from: calendar.startOfDay(for: start), to: calendar.startOfDay(for: date)).day else { return nil }
        let handoffSeconds = (handoff.hour ?? 0) * 3600 + (handoff.minute ?? 0) * 60 + (handoff.second ?? 0)
        let atSeconds = (at.hour ?? 0) * 3600 + (at.minute ?? 0) * 60 + (at.second ?? 0)
        if atSeconds < handoffSeconds { elapsed -= 1 }
        return elapsed < 0 ? nil : elapsed / days
    }
}
