"""Data lifecycle: what happens to an account's data when it is deleted or exported."""
