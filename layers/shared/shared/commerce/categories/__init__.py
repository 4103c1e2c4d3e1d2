"""Product categories (admin-managed, public to read)."""
