/// Analysis: each issue's classification (severity, category, business impact and what decided
/// them) and the organizations' classification rules (JSON definitions, like alert rules).
enum AnalysisSchema {
    static func statements(_ f: SQLFlavor) -> [String] {
        [
            "ALTER TABLE issues ADD COLUMN severity TEXT",
            "ALTER TABLE issues ADD COLUMN category TEXT",
            "ALTER TABLE issues ADD COLUMN business_impact TEXT",
            "ALTER TABLE issues ADD COLUMN classified_by TEXT",
            "CREATE INDEX issues_project_severity ON issues (project_id, severity)",
            IncidentsSchema.definitions("classification_rules", f),
            "CREATE INDEX classification_rules_organization ON classification_rules (organization_id)",
        ]
    }
}
