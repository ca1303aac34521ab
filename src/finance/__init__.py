"""finance: financial records and analytics with role-based access."""
