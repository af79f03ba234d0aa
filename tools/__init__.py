"""Side-effecting capabilities the agents call: the demo account store and the audit log."""
