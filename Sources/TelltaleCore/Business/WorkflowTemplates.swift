/// Starting points for the two business profiles of the seeds; every figure is meant to be
/// edited (values per failure are placeholders in the organization's currency).
public enum WorkflowTemplates {
    public static let names = ["booking", "wedding"]

    /// A booking platform (a barbershop's): booking 25 %, payment 25 %, client management 15 %,
    /// revenue tracking, brand building and efficiency 10 % each, professional growth 5 %.
    public static let booking: [WorkflowDraft] = [
        make("Booking", 25, 95, "booking", ["/api/bookings*", "/book*"], events: ["booking_completed"], value: 40),
        make("Payment", 25, 98, "payment", ["/api/payments*", "/checkout*"], events: ["payment_completed"], value: 60),
        make("Client management", 15, 95, "client_management", ["/api/clients*"], value: 10),
        make("Revenue tracking", 10, 95, "revenue_tracking", ["/api/revenue*", "/api/reports*"], value: 5),
        make("Brand building", 10, 95, "brand_building", ["/api/brand*", "/api/marketing*"], value: 5),
        make("Efficiency", 10, 95, "efficiency", ["/api/schedule*", "/api/staff*"], value: 5),
        make("Professional growth", 5, 90, "professional_growth", ["/api/learning*"], value: 2),
    ]

    /// A wedding platform: planning, vendor booking, payments and subscriptions, guests, RSVPs
    /// and the registry.
    public static let wedding: [WorkflowDraft] = [
        make("Planning", 25, 95, "planning", ["/api/plans*", "/api/checklist*"], events: ["plan_created"], value: 15),
        make("Vendor booking", 20, 95, "vendor_booking", ["/api/vendors*"], events: ["vendor_booked"], value: 80),
        make("Payments and subscriptions", 20, 98, "payment", ["/api/payments*", "/api/subscriptions*"], events: ["subscription_started"], value: 50),
        make("Guest management", 15, 95, "guests", ["/api/guests*"], value: 5),
        make("RSVP", 10, 95, "rsvp", ["/rsvp*", "/api/rsvp*"], events: ["rsvp_submitted"], value: 2),
        make("Registry", 10, 95, "registry", ["/api/registry*"], value: 10),
    ]

    public static func named(_ name: String) -> [WorkflowDraft]? {
        switch name {
        case "booking": booking
        case "wedding": wedding
        default: nil
        }
    }

    static func make(_ name: String, _ weight: Double, _ target: Double, _ tag: String, _ endpoints: [String], events: [String] = [], value: Double) -> WorkflowDraft {
        // The figures above are valid by construction; `try!` would hide a typo only until the tests.
        (try? WorkflowDraft(name: name, weight: weight, target: target,
                            match: WorkflowMatch(endpoints: endpoints, tags: ["workflow": tag], events: events), valuePerFailure: value))!
    }
}
