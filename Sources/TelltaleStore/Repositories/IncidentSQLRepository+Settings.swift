public import Foundation
import SQLKit
public import TelltaleCore

/// Escalation policies, on-call schedules and runbooks: a name and a JSON definition each.
extension IncidentSQLRepository {
    public func createPolicy(organizationID: OrganizationID, _ draft: EscalationPolicyDraft, now: Date) async throws -> EscalationPolicy {
        let id = try await insert("escalation_policies", organizationID, draft.name, AlertCoding.json(draft), now)
        return EscalationPolicy(id: EscalationPolicyID(id), organizationID: organizationID, draft: draft)
    }

    public func updatePolicy(_ id: EscalationPolicyID, _ draft: EscalationPolicyDraft, now: Date) async throws -> EscalationPolicy? {
        guard try await update("escalation_policies", id.rawValue, draft.name, AlertCoding.json(draft), now) else { return nil }
        return try await policy(id: id)
    }

    public func policy(id: EscalationPolicyID) async throws -> EscalationPolicy? {
        try await rows("escalation_policies", "id", id.rawValue).first.map(Self.policy)
    }

    public func policies(organizationID: OrganizationID) async throws -> [EscalationPolicy] {
        try await rows("escalation_policies", "organization_id", organizationID.rawValue).map(Self.policy)
    }

    public func deletePolicy(_ id: EscalationPolicyID) async throws -> Bool { try await delete("escalation_policies", id.rawValue) }

    public func createSchedule(organizationID: OrganizationID, _ draft: OnCallScheduleDraft, now: Date) async throws -> OnCallSchedule {
        let id = try await insert("oncall_schedules", organizationID, draft.name, AlertCoding.json(draft), now)
        return OnCallSchedule(id: OnCallScheduleID(id), organizationID: organizationID, draft: draft)
    }

    public func updateSchedule(_ id: OnCallScheduleID, _ draft: OnCallScheduleDraft, now: Date) async throws -> OnCallSchedule? {
        guard try await update("oncall_schedules", id.rawValue, draft.name, AlertCoding.json(draft), now) else { return nil }
        return try await schedule(id: id)
    }

    public func schedule(id: OnCallScheduleID) async throws -> OnCallSchedule? {
        try await rows("oncall_schedules", "id", id.rawValue).first.map(Self.schedule)
    }

    public func schedules(organizationID: OrganizationID) async throws -> [OnCallSchedule] {
        try await rows("oncall_schedules", "organization_id", organizationID.rawValue).map(Self.schedule)
    }

    public func deleteSchedule(_ id: OnCallScheduleID) async throws -> Bool { try await delete("oncall_schedules", id.rawValue) }

    func insert(_ table: String, _ organizationID: OrganizationID, _ name: String, _ definition: String, _ now: Date) async throws -> Int64 {
        try await DefinitionTable(backend: backend, table: table).insert(organizationID, name, definition, now)
    }

    func update(_ table: String, _ id: Int64, _ name: String, _ definition: String, _ now: Date) async throws -> Bool {
        try await DefinitionTable(backend: backend, table: table).update(id, name, definition, now)
    }

    func rows(_ table: String, _ column: String, _ value: Int64) async throws -> [(Int64, Int64, String)] {
        try await DefinitionTable(backend: backend, table: table).rows(column, value)
    }

    func delete(_ table: String, _ id: Int64) async throws -> Bool {
        try await DefinitionTable(backend: backend, table: table).delete(id)
    }

    static func policy(_ row: (Int64, Int64, String)) throws -> EscalationPolicy {
        EscalationPolicy(id: EscalationPolicyID(row.0), organizationID: OrganizationID(row.1), draft: try AlertCoding.decode(EscalationPolicyDraft.self, row.2))
    }

    static func schedule(_ row: (Int64, Int64, String)) throws -> OnCallSchedule {
        OnCallSchedule(id: OnCallScheduleID(row.0), organizationID: OrganizationID(row.1), draft: try AlertCoding.decode(OnCallScheduleDraft.self, row.2))
    }
}
